"""Knowledge publishing: a landlord's sources in S3, builds, the live datastore pointer.

The lifecycle (docs/publishing.md): staff edit a landlord's Markdown sources (``SourceStore``,
a private versioned S3 bucket; every change recorded), a build request goes to a FIFO queue
(one build per landlord at a time), the knowledge-build function writes a datastore holding
the community knowledge plus the landlord's, runs the landlord's control questions, uploads
it as an immutable object and moves the landlord's pointer (DynamoDB) to it. Chat, SMS and
admin follow the pointer. Models in :mod:`.models`, the storage contracts in :mod:`.ports`.
"""
