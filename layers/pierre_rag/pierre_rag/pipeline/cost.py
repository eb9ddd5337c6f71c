"""A rough cost estimate per turn, for statistics (USD per million tokens, list prices 2026)."""

from __future__ import annotations

# (input, output) USD per 1M tokens. Unknown models count 0 and are flagged by the caller.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "mistral-small-latest": (0.10, 0.30),
    "mistral-medium-latest": (0.40, 2.00),
    "mistral-large-latest": (2.00, 6.00),
}


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int) -> float:
    if not model:
        return 0.0
    name = model.split(":", 1)[-1]
    price = PRICES.get(name) or next(
        (value for key, value in PRICES.items() if name.startswith(key)), None
    )
    if price is None:
        return 0.0
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
