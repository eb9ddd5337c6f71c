"""Storage behind ports: what the stores share, their protocols and in-memory implementations.

- :mod:`~pierre_rag.storage.items`: the one way a Python value becomes a DynamoDB attribute
  value and back.
- :mod:`~pierre_rag.storage.pages`: the one loop over a Query's pages.
- :mod:`~pierre_rag.storage.ports`: one protocol per store (conversations, users, rate limits,
  SMS state, validated answers, handled backlog items, the data-request audit). The pipeline
  and the apps depend on these, not on the DynamoDB classes.
- :mod:`~pierre_rag.storage.memory`: in-memory implementations keeping the same contract
  (conditional writes, conflicts, pagination), for fast unit tests and benchmarks.

The DynamoDB implementations stay beside their domain (:mod:`pierre_rag.conversations`,
:mod:`pierre_rag.auth.users`, :mod:`pierre_rag.ratelimit`, :mod:`pierre_rag.sms.store`,
:mod:`pierre_rag.review.validated`, :mod:`pierre_rag.review.handled`,
:mod:`pierre_rag.data_requests`); each owns its key schema as named constants, which must
never change: deployed tables hold data.
"""
