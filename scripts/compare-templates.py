#!/usr/bin/env python3
"""Compares the CloudFormation templates that the TypeScript, Python, Java and Go example apps synthesized.

Usage: compare-templates.py DIR_TS DIR_PY [DIR_JAVA]
       compare-templates.py LABEL=DIR LABEL=DIR [LABEL=DIR]

The Java directory is optional: an app that exists in TypeScript and Python only is compared between those two. With
LABEL=DIR arguments the first directory is the reference and each is printed under its label (the release rehearsal
compares its consumers with the TypeScript app this way; scripts/multilang-go.sh compares typescript=, python=, java= and
go=).

Only the metadata that differs by language is ignored: the AWS::CDK::Metadata resource (its Analytics string names
the language runtime) and the condition that guards it. Every other byte of every template must match. Prints one
SHA-256 per template and language over the normalized JSON, and exits 1 on any difference.
"""
import hashlib
import json
import pathlib
import sys


LABELS = {"typescript": "TypeScript", "python": "Python", "java": "Java", "go": "Go"}


def normalize(template: dict) -> dict:
    template = json.loads(json.dumps(template))
    template.get("Resources", {}).pop("CDKMetadata", None)
    conditions = template.get("Conditions", {})
    conditions.pop("CDKMetadataAvailable", None)
    if "Conditions" in template and not conditions:
        del template["Conditions"]
    return template


def load(directory: pathlib.Path) -> dict:
    return {p.name: normalize(json.loads(p.read_text())) for p in sorted(directory.glob("*.template.json"))}


def digest(template: dict) -> str:
    return hashlib.sha256(json.dumps(template, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def main(args: list) -> int:
    if all("=" in arg for arg in args):
        pairs = [arg.split("=", 1) for arg in args]
        LABELS.update({label: LABELS.get(label, label) for label, _ in pairs})
        languages, dirs = [label for label, _ in pairs], [d for _, d in pairs]
    else:
        languages, dirs = ["typescript", "python", "java"][:len(args)], args
    sets = {lang: load(pathlib.Path(d)) for lang, d in zip(languages, dirs)}
    names = sorted(set().union(*[s.keys() for s in sets.values()]))
    if not names:
        print("no templates found", file=sys.stderr)
        return 1
    ok = True
    for name in names:
        digests = {lang: digest(sets[lang][name]) if name in sets[lang] else "(missing)" for lang in languages}
        same = len(set(digests.values())) == 1 and "(missing)" not in digests.values()
        ok &= same
        reference = sets[languages[0]]
        resources = len(reference.get(name, {}).get("Resources", {}))
        print(f"{name}: {resources} resources, {'identical' if same else 'DIFFERENT'}")
        for lang in languages:
            print(f"  {lang:<10} sha256 {digests[lang]}")
        if not same:
            for lang in languages[1:]:
                if name in sets[lang] and name in reference:
                    a, b = reference[name], sets[lang][name]
                    for section in sorted(set(a) | set(b)):
                        for key in sorted(set(a.get(section, {})) | set(b.get(section, {}))) if isinstance(a.get(section, {}), dict) else [None]:
                            va = a.get(section, {}).get(key) if key else a.get(section)
                            vb = b.get(section, {}).get(key) if key else b.get(section)
                            if va != vb:
                                print(f"    {lang} differs at {section}/{key}")
    across = ", ".join(LABELS[lang] for lang in languages[:-1]) + " and " + LABELS[languages[-1]]
    print(f"templates identical across {across}" if ok else "templates DIFFER between languages")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4, 5) or (len(sys.argv) == 5 and not all("=" in a for a in sys.argv[1:])):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
