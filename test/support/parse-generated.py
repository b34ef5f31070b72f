"""Parses generated files as their real readers do, for the hostile-names property test.

Reads a JSON list of {"kind": "ini" | "python", "path": ...} on stdin and prints, per file, what
the reader made of it: for "ini", botocore's own config loader (the AWS CLI's and boto3's) — every
section and its keys, and the profiles botocore builds; for "python", whether the file compiles
(py_compile's compile) and the kinds of its top-level statements. A reader's error is reported,
not raised.
"""
import ast
import json
import sys

from botocore.configloader import load_config, raw_config_parse

results = []
for item in json.load(sys.stdin):
    path = item["path"]
    try:
        if item["kind"] == "ini":
            sections = raw_config_parse(path, parse_subsections=False)
            profiles = load_config(path).get("profiles", {})
            results.append({"path": path, "sections": {name: sorted(values) for name, values in sections.items()}, "profiles": sorted(profiles)})
        else:
            with open(path, encoding="utf-8") as f:
                source = f.read()
            compile(source, path, "exec")
            results.append({"path": path, "statements": [type(node).__name__ for node in ast.parse(source).body]})
    except Exception as error:  # the test reports any reader's refusal as a failure
        results.append({"path": path, "error": f"{type(error).__name__}: {error}"})
print(json.dumps(results))
