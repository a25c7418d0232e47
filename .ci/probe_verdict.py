"""Reads a schemathesis JUnit report and decides: every failed check, and every error that is
not schemathesis's own data generator crashing, fails the probe."""

import sys
import xml.etree.ElementTree as ET

failed = internal = 0
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    for problem in case.findall("failure") + case.findall("error"):
        text = (problem.get("message") or "") + "\n" + (problem.text or "")
        # A crash inside the tool's generator (a Python traceback through hypothesis) says
        # nothing about the server; it is shown, not counted.
        if problem.tag == "error" and "Traceback" in text and "hypothesis" in text:
            internal += 1
            print(f"note: schemathesis crashed internally on {case.get('name')}; not counted")
        else:
            failed += 1
            print(f"FAILED {case.get('name')}: {text.strip()[:600]}")
print(f"{failed} failure(s); {internal} internal error(s) of the tool")
sys.exit(1 if failed else 0)
