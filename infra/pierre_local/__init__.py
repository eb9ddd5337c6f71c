"""The local stack behind ``make dev``: moto (DynamoDB, S3, SQS, SSM) + the real Lambda handlers.

No Docker, no cloud account: HTTP requests become real HTTP API v2 events for the handler that
``template.yaml`` routes them to, and an SQS poller feeds the SMS worker real SQS events.
"""
