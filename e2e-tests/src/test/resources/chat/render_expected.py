#!/usr/bin/env python3
"""Renders ChatPageTest's conversation with Qwen2.5's chat template the way Hugging Face transformers'
apply_chat_template does (jinja2 sandbox, trim_blocks, lstrip_blocks, loopcontrols, add_generation_prompt), and
writes the expected prompt text of each turn to qwen25-expected.json.

The assistant's answers come from a random-weight model, so they are placeholders (@@ASSISTANT_1@@, ...) that the
test replaces with the answers it got; Qwen2.5's template inserts message content verbatim, so that is exact.

Run from this folder (jinja2 3.1.6):  python3 render_expected.py ../../../../../../shared/chat-templates
"""
import hashlib
import json
import sys
from pathlib import Path

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATE = "Qwen-Qwen2.5-7B-Instruct.jinja"
SYSTEM = "Be brief."
USERS = ["Hi there!", "What is 2+2?", "Thanks!\nna\u00efve caf\u00e9 \u2615"]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def main(template_dir):
    source = (Path(template_dir) / TEMPLATE).read_text(encoding="utf-8")
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    template = env.from_string(source)
    messages = [{"role": "system", "content": SYSTEM}]
    turns = []
    for i, user in enumerate(USERS, start=1):
        messages.append({"role": "user", "content": user})
        rendered = template.render(messages=messages, add_generation_prompt=True, tools=None,
                                   bos_token="", eos_token="<|im_end|>")
        turns.append({"messages": [dict(m) for m in messages], "prompt": rendered})
        messages.append({"role": "assistant", "content": f"@@ASSISTANT_{i}@@"})
    out = {
        "provenance": f"render_expected.py: jinja2 {jinja2.__version__}, {TEMPLATE} "
                      f"(sha256 {hashlib.sha256(source.encode('utf-8')).hexdigest()}), transformers' "
                      "apply_chat_template settings, add_generation_prompt=True",
        "template": TEMPLATE,
        "system": SYSTEM,
        "users": USERS,
        "turns": turns,
    }
    Path("qwen25-expected.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../../../../../../shared/chat-templates")
