"""Log-likelihood scoring of continuations on the local llama.cpp backend (lm-evaluation-harness style).

The prompt is evaluated once; each continuation is then scored token by token from the
prompt's state, summing log-softmax probabilities. No text is generated or parsed.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


def _chat_prompt(llm: Any, messages: list[dict[str, str]]) -> str:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    bos = llm._model.token_get_text(llm.token_bos())
    eos = llm._model.token_get_text(llm.token_eos())
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(messages=messages).prompt  # type: ignore[arg-type]


def score_continuations(llm: Any, messages: list[dict[str, str]], continuations: list[str]) -> list[float]:
    """Sum of token log-probabilities of each continuation after the chat prompt (caller holds the model lock)."""
    prefix = llm.tokenize(_chat_prompt(llm, messages).encode(), add_bos=False, special=True)
    vocab = llm.n_vocab()

    def last_logits() -> np.ndarray:
        # llama-cpp-python keeps no logits without logits_all; read the context's last row directly.
        return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(vocab,)).copy()

    llm.reset()
    llm.eval(prefix)
    after_prefix = last_logits()
    totals = []
    for text in continuations:
        llm.n_tokens = len(prefix)  # rewind: eval() drops the KV cache beyond n_tokens
        logits, total = after_prefix, 0.0
        for token in llm.tokenize(text.encode(), add_bos=False, special=False):
            total += float(_log_softmax(logits)[token])
            llm.eval([token])
            logits = last_logits()
        totals.append(total)
    return totals
