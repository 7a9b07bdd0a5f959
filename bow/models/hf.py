"""``hf:PATH`` — any local transformers causal-LM directory, run on CPU or GPU.

Only local files are read (``local_files_only=True``): BOW never downloads
weights at run time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from bow.errors import ModelSetupError
from bow.models.local import to_openai_messages


class HFChat(BaseChatModel):
    """A chat model over a local transformers checkpoint with a chat template."""

    model_dir: str
    max_tokens: int = 256
    temperature: float = 0.0
    max_concurrency: int = 1  # one model instance; generate() calls are serialised
    _loaded: tuple[Any, Any] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "hf-local"

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._loaded is None:
                path = Path(self.model_dir).expanduser()
                if not (path / "config.json").is_file():
                    raise ModelSetupError(
                        f"'{path}' is not a transformers model directory (no config.json).",
                        "Use hf:/path/to/a/saved/model.",
                    )
                try:
                    from transformers import AutoModelForCausalLM, AutoTokenizer
                except ImportError:
                    raise ModelSetupError(
                        "The hf backend needs transformers and torch.", "pip install transformers torch"
                    ) from None
                tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
                model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
                self._loaded = (tokenizer, model)
            return self._loaded

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        tokenizer, model = self._load()
        inputs = tokenizer.apply_chat_template(
            to_openai_messages(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        temperature = kwargs.get("temperature", self.temperature)
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
        with self._lock:
            output = model.generate(
                **inputs,
                max_new_tokens=kwargs.get("max_tokens", self.max_tokens),
                pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                **sampling,
            )
        prompt_len = inputs["input_ids"].shape[1]
        new_tokens = output[0][prompt_len:]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        for marker in stop or []:
            text = text.split(marker)[0]
        usage = {
            "input_tokens": int(prompt_len),
            "output_tokens": len(new_tokens),
            "total_tokens": int(prompt_len) + len(new_tokens),
        }
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=usage))])
