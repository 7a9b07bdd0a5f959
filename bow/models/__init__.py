"""Model backends and the gateway every model call goes through."""

from bow.models.gateway import Gateway, RetryPolicy, is_retryable
from bow.models.reply import ModelReply, Usage
from bow.models.spec import ModelSpec, parse_spec

__all__ = ["Gateway", "ModelReply", "ModelSpec", "RetryPolicy", "Usage", "is_retryable", "parse_spec"]
