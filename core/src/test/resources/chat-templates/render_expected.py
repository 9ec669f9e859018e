#!/usr/bin/env python3
"""Renders expected.json for the chat-template fixtures (and the language snippets) in cases.json with Python jinja2, configured exactly as
Hugging Face transformers' apply_chat_template (transformers/utils/chat_template_utils.py, _compile_jinja_template and
render_jinja_template): ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
extensions=[AssistantTracker, loopcontrols]), tojson = json.dumps(ensure_ascii=False, ...), globals raise_exception and strftime_now
(with the fixed date in cases.json), rendered with messages, tools, documents, add_generation_prompt, the special
tokens and extra kwargs.

Usage: python3 render_expected.py   (needs jinja2 3.x; reads templates "shared:NAME" from $KILN_SHARED/chat-templates,
default ../shared beside the repository, and the others from templates/)
"""
import json
import os
import traceback
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
SHARED = os.environ.get("KILN_SHARED", os.path.join(REPO, "..", "shared"))


class AssistantTracker(Extension):
    """transformers' {% generation %} tag, minus the assistant-mask bookkeeping: renders its body unchanged."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_assistant"), [], [], body).set_lineno(lineno)

    def _render_assistant(self, caller):
        return caller()


def environment(now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def source(name):
    path = os.path.join(SHARED, "chat-templates", name[7:]) if name.startswith("shared:") else os.path.join(HERE, "templates", name)
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def main():
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    env = environment(datetime(*cases["now"]))
    expected = {}
    for t, c in cases["cases"]:
        tpl, conv = cases["templates"][t], cases["conversations"][c]
        template = env.from_string(source(tpl["source"]))
        kwargs = {**tpl["special_tokens"], **conv.get("extra", {})}
        try:
            expected[t + "/" + c] = template.render(messages=conv["messages"], tools=conv.get("tools"),
                                                    documents=conv.get("documents"),
                                                    add_generation_prompt=conv.get("add_generation_prompt", True), **kwargs)
        except Exception as e:  # raise_exception gives TemplateError; a broken template TypeError etc.
            lines = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "<template>"]
            raised = isinstance(e, jinja2.exceptions.TemplateError) and not isinstance(e, jinja2.exceptions.UndefinedError)
            expected[t + "/" + c] = {"error": str(e), "raised": raised, "line": lines[-1]}
    ex = cases["expressions"]
    for i, text in enumerate(ex["templates"]):
        try:
            expected["expr/%d" % i] = env.from_string(text).render(**ex["vars"])
        except Exception as e:  # the Java side must fail too (any TemplateException)
            expected["expr/%d" % i] = {"error": type(e).__name__ + ": " + str(e)}
    for name, snippet in cases["snippets"].items():
        expected["snippet/" + name] = env.from_string(snippet["template"]).render(**snippet["vars"])
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    print(len(expected), "cases,", sum(isinstance(v, dict) for v in expected.values()), "errors")


if __name__ == "__main__":
    main()
