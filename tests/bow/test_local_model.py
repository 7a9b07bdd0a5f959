"""End to end on the embedded SmolLM2 model: no network, no key, real llama.cpp."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bow.models.gateway import Gateway

pytestmark = pytest.mark.real_model


def test_bow_models_check_local_answers_offline(bow_home):
    bow = Path(sys.executable).with_name("bow")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "BOW_HOME": str(bow_home)}
    out = subprocess.run(
        [str(bow), "models", "check", "local", "--json", "--max-tokens", "24"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["reply"].strip()
    assert data["output_tokens"] > 0 and data["tokens_per_s"] > 0


async def test_local_model_streams_in_character():
    gateway = Gateway("local", params={"max_tokens": 32})
    messages = [SystemMessage("You are Tony Stark, Iron Man."), HumanMessage("Who are you?")]
    stream = gateway.stream(messages)
    pieces = [piece async for piece in stream]
    assert len(pieces) > 3
    assert stream.reply is not None and stream.reply.text == "".join(pieces).strip()
    assert stream.reply.usage.output_tokens == len(pieces)
