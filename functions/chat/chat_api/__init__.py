"""The chat function's HTTP layer: routes, request/response models, the embed page."""
