"""A compact output grammar (GBNF) for llama-server, made from a JSON Schema.

llama-server turns a `response_format` schema into a grammar that allows
indentation and newlines, and the embedded model pretty-prints: a third of its
output tokens were whitespace (343 tokens pretty against 235 compact on one
measured answer). Generation time is what the user waits for, so the local
backend sends this compact grammar instead.

Only the schema features the brief's draft uses are supported; anything else
raises `UnsupportedSchemaError`, so a schema change cannot silently produce a
grammar looser than the schema.
"""

from __future__ import annotations

import json
from typing import Any

# One JSON string character: anything but a quote, backslash or control
# character, or an escape (as in llama.cpp's own JSON grammar).
_CHAR = r'[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})'


class UnsupportedSchemaError(ValueError):
    """The schema uses a feature this converter does not translate."""


def _literal(text: str) -> str:
    """A GBNF literal matching `text` exactly."""
    return json.dumps(text)


class _Builder:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.rules: dict[str, str] = {"char": _CHAR}

    def rule(self, name: str, body: str) -> str:
        if self.rules.get(name, body) != body:
            raise UnsupportedSchemaError(f"two different rules named {name!r}")
        self.rules[name] = body
        return name

    def visit(self, schema: dict[str, Any], name: str) -> str:
        """The name of a rule matching `schema`, adding the rules it needs."""
        if "$ref" in schema:
            ref = str(schema["$ref"])
            prefix = "#/$defs/"
            if not ref.startswith(prefix) or ref[len(prefix) :] not in self.defs:
                raise UnsupportedSchemaError(f"unresolvable $ref {ref!r}")
            target = ref[len(prefix) :]
            if target not in self.rules:
                self.rules[target] = ""  # reserve the name (recursion guard)
                self.rules[target] = self.body(self.defs[target], target)
            return target
        return self.rule(name, self.body(schema, name))

    def body(self, schema: dict[str, Any], name: str) -> str:
        if "enum" in schema:
            return " | ".join(_literal(json.dumps(v)) for v in schema["enum"])
        if "anyOf" in schema:
            alts = [self.visit(s, f"{name}-{i}") for i, s in enumerate(schema["anyOf"])]
            return " | ".join(alts)
        kind = schema.get("type")
        if kind == "null":
            return '"null"'
        if kind == "string":
            low = int(schema.get("minLength", 0))
            high = schema.get("maxLength")
            reps = f"{{{low},{int(high)}}}" if high is not None else f"{{{low},}}"
            return f'"\\"" char{reps} "\\""'
        if kind == "integer":
            return self.integer(schema)
        if kind == "array":
            return self.array(schema, name)
        if kind == "object":
            return self.object(schema, name)
        raise UnsupportedSchemaError(f"{name}: unsupported schema {sorted(schema)}")

    def integer(self, schema: dict[str, Any]) -> str:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None or high is None or low < 0:
            raise UnsupportedSchemaError("integers need a non-negative minimum and a maximum")
        # Bounds by digit count only; the exact range is checked on validation.
        positive = f"[1-9] [0-9]{{0,{len(str(int(high))) - 1}}}"
        return positive if low >= 1 else f'"0" | {positive}'

    def array(self, schema: dict[str, Any], name: str) -> str:
        item = self.visit(schema.get("items", {}), f"{name}-item")
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if high is not None and int(high) < 1:
            return '"[]"'
        items = schema.get("items", {})
        # Objects go one a line. Kept on one line, the model closed its list of actors
        # after the first on most of the dev set (as if `}]` were simply likelier than
        # `},{`); one a line, it lists them as it does when pretty-printing.
        lined = "$ref" in items or items.get("type") == "object"
        start, sep = ('"[\\n"', '",\\n"') if lined else ('"["', '","')
        more = f"({sep} {item})"
        tail = f"{more}*" if high is None else f"{more}{{{max(low - 1, 0)},{int(high) - 1}}}"
        filled = f'{start} {item} {tail} "]"'
        return filled if low >= 1 else f'"[]" | {filled}'

    def object(self, schema: dict[str, Any], name: str) -> str:
        props: dict[str, Any] = schema.get("properties", {})
        if set(schema.get("required", [])) != set(props):
            raise UnsupportedSchemaError(f"{name}: every property must be required")
        if schema.get("additionalProperties", True) is not False:
            raise UnsupportedSchemaError(f"{name}: additionalProperties must be false")
        parts = []
        for i, (key, sub) in enumerate(props.items()):
            sep = "," if i else ""
            value = self.visit(sub, f"{name}-{key.replace('_', '-')}")
            parts.append(f'{_literal(f"{sep}{json.dumps(key)}:")} " "? {value}')
        return " ".join(['"{"', *parts, '"}"'])


def compact_grammar(schema: dict[str, Any]) -> str:
    """GBNF for the JSON documents `schema` accepts, written compactly: no indentation,
    at most one space after a colon, and a newline before each object in an array.

    Properties come in the schema's order, which is the order the prompt
    explains them in.
    """
    builder = _Builder(schema.get("$defs", {}))
    root = builder.body(schema, "root")
    rules = {"root": root, **builder.rules}
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"
