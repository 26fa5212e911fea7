#!/usr/bin/env bash
# Regenerates every report fixture in this directory by running the real
# tools on the sample projects in projects/. README.md lists each file with
# the command that made it; this script is that table, runnable.
#
# Needs: Go; Node.js; Debian's python3-pytest, cmake, gcc, maven (with the packaged
# repository in /usr/share/maven-repo, surefire, compiler and resources
# plugins), ant, ant-optional, junit4, junit5; and on PATH staticcheck,
# gosec, gotestsum and govulncheck (go install …@version, see README.md).
# ESLint comes from projects/eslint/package.json (npm ci).
#
# The projects are copied to $WORK (default /tmp/aeso-fixtures) so paths in
# the reports do not depend on where this repository is checked out.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/aeso-fixtures}
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r "$here/projects/." "$WORK/"
out=$here
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# Runs a command that is expected to fail (failing tests, findings) and
# keeps going; the report it writes is what matters.
may_fail() { "$@" || true; }

# --- go test -json, gotestsum, staticcheck, gosec, govulncheck ----------
cd "$WORK/gomod"
go mod download
go test -json -count=1 -trimpath ./strutil ./many >"$out/gotest-pass.json"
may_fail go test -json -count=1 -trimpath ./calc >"$out/gotest-fail.json"
may_fail go test -json -count=1 -trimpath ./strutil ./broken >"$out/gotest-build-error.json"
may_fail go test -json -count=1 -trimpath -timeout 2s ./slow >"$out/gotest-timeout.json"
go test -json -count=1 -trimpath -run '^$' -bench . -benchtime 100x ./bench >"$out/gotest-bench.json"
may_fail go test -count=1 -trimpath ./calc >"$out/gotest-garbage.json"
# A fresh module cache makes go print "go: downloading …" before the stream.
modcache=$(mktemp -d)
GOMODCACHE=$modcache go test -json -count=1 -trimpath ./deps >"$out/gotest-downloading.json" 2>&1
chmod -R u+w "$modcache" && rm -rf "$modcache"
# Derived: the runner killed mid-way (first 300 lines of a passing run),
# and a stream cut in the middle of a line.
head -n 300 "$out/gotest-pass.json" >"$out/gotest-cut.json"
head -c 2500 "$out/gotest-fail.json" >"$out/gotest-truncated.json"
# A package where nothing ran proves nothing.
go test -json -count=1 -trimpath -run '^$' ./calc >"$out/gotest-none.json"
# Derived: a rerun cut off after a full pass (the package ends, starts
# again and never ends); a build that failed with no package event
# claiming it; a line that names its Action twice.
cat "$out/gotest-pass.json" "$out/gotest-cut.json" >"$out/gotest-rerun-cut.json"
jq -c 'select(.Action | startswith("build"))' "$out/gotest-build-error.json" >"$out/gotest-build-only.json"
sed 's/"Action":"fail"/"Action":"fail","Action":"pass"/' "$out/gotest-fail.json" >"$out/gotest-action-twice.json"

may_fail gotestsum --format dots --junitfile "$out/gotestsum-fail.xml" -- -count=1 -trimpath ./calc ./strutil >/dev/null
gotestsum --format dots --junitfile "$out/gotestsum-none.xml" -- -count=1 -trimpath -run '^$' ./calc >/dev/null

may_fail staticcheck -f sarif -show-ignored ./lint >"$out/staticcheck.sarif"
staticcheck -f sarif ./strutil >"$out/staticcheck-clean.sarif"
may_fail staticcheck -f sarif ./broken >"$out/staticcheck-compile-error.sarif"
may_fail gosec -quiet -fmt sarif -track-suppressions -out "$out/gosec.sarif" ./sec
may_fail govulncheck -db "file://$WORK/vulndb" -format sarif ./deps >"$out/govulncheck.sarif"

# Derived SARIF logs that prove nothing (jq edits of a real log), a
# truncated one, and one that lists a result twice.
jq -c '.runs = null' "$out/staticcheck-clean.sarif" >"$out/sarif-runs-null.sarif"
jq -c '.runs = []' "$out/staticcheck-clean.sarif" >"$out/sarif-runs-empty.sarif"
jq -c '{version}' "$out/staticcheck-clean.sarif" >"$out/sarif-no-runs.sarif"
jq -c '.runs[0].invocations[0].executionSuccessful = false' "$out/staticcheck-clean.sarif" >"$out/sarif-not-finished.sarif"
jq -c '.runs[0].results += [.runs[0].results[0]]' "$out/gosec.sarif" >"$out/sarif-duplicate.sarif"
head -c 3000 "$out/staticcheck.sarif" >"$out/sarif-broken.sarif"
# Derived: logs a lenient JSON reader gets wrong (a name given twice, a
# name in another case: the last one would win and empty the run or undo
# its failure), results of different rules sharing a partial fingerprint,
# and suppressions still under review.
jq -c . "$out/staticcheck.sarif" | sed 's/"invocations":/"results":[],"invocations":/' >"$out/sarif-results-twice.sarif"
jq -c . "$out/staticcheck.sarif" | sed 's/"invocations":/"Results":[],"invocations":/' >"$out/sarif-results-cased.sarif"
jq -c . "$out/sarif-not-finished.sarif" | sed 's/"executionSuccessful":false/"executionSuccessful":false,"executionSuccessful":true/' >"$out/sarif-success-twice.sarif"
jq -c '.runs[0].results |= map(.partialFingerprints = {"primaryLocationLineHash": "0"})' "$out/gosec.sarif" >"$out/sarif-same-partial-fingerprint.sarif"
# Derived: a rule reference that points past its rules (from the
# hand-written CodeQL-shaped log, see README.md), and a null result.
jq -c '.runs[0].results[0].rule.index = 99999999999' "$out/codeql-extension-rules.sarif" >"$out/sarif-rule-index-out-of-range.sarif"
jq -c '.runs[0].results = [null]' "$out/staticcheck-clean.sarif" >"$out/sarif-results-null.sarif"
jq -c '.runs[0].results |= map(if .suppressions then .suppressions |= map(.status = "underReview") else . end)' "$out/gosec.sarif" >"$out/sarif-suppression-under-review.sarif"

# --- Node.js built-in test runner -------------------------------------
cd "$WORK/node"
may_fail node --test --test-reporter=junit --test-reporter-destination="$out/node-junit.xml" math.test.mjs
node --test --test-reporter=junit --test-reporter-destination="$out/node-junit-top.xml" top.test.mjs
# Derived: the same test cases inside an element JUnit does not define.
sed 's#<testsuites>#<testsuites><group>#; s#</testsuites>#</group></testsuites>#' "$out/node-junit-top.xml" >"$out/junit-wrapped.xml"

# --- ESLint SARIF -----------------------------------------------------
cd "$WORK/eslint"
npm ci --no-audit --no-fund --loglevel=error
may_fail npx eslint -f @microsoft/eslint-formatter-sarif -o "$out/eslint.sarif" src
may_fail npx eslint -f @microsoft/eslint-formatter-sarif -o "$out/eslint-parse-error.sarif" broken

# --- pytest -----------------------------------------------------------
cd "$WORK/python"
may_fail /usr/bin/python3 -m pytest -q -p no:cacheprovider -o junit_family=xunit1 --junitxml="$out/pytest-xunit1.xml" test_sample.py >/dev/null
may_fail /usr/bin/python3 -m pytest -q -p no:cacheprovider -o junit_family=xunit2 --junitxml="$out/pytest-xunit2.xml" test_sample.py >/dev/null
# Derived: the same report as a Windows tool writes it, UTF-16 with a BOM
# and an XML declaration that says so.
sed 's/encoding="utf-8"/encoding="UTF-16"/' "$out/pytest-xunit2.xml" | iconv -f UTF-8 -t UTF-16 >"$out/junit-utf16.xml"
head -c 700 "$out/pytest-xunit1.xml" >"$out/junit-broken.xml"
# A run that pytest.exit() ends in its second test, and one interrupted
# (SIGINT, as Ctrl-C or a CI job cancelled) in its first: pytest writes the
# test it was in as a <testcase> with no name.
may_fail /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$out/pytest-exit.xml" test_exit.py >/dev/null
may_fail timeout -s INT 3 /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$out/pytest-interrupted.xml" test_interrupted.py >/dev/null

# --- CTest -------------------------------------------------------------
# One test disabled, one skipped by its return code: nothing ran, and
# ctest exits 0.
cd "$WORK/ctest"
cmake -S . -B build >/dev/null
cmake --build build >/dev/null
(cd build && ctest --output-junit "$out/ctest-disabled.xml" >/dev/null)

# --- Maven Surefire, Ant, JUnit 5 console launcher --------------------
cd "$WORK/java"
mvn -B -q -s settings-debian.xml -Dmaven.repo.local="$WORK/m2" test \
	-Dmaven.test.failure.ignore=true -Dsurefire.rerunFailingTestsCount=1 >/dev/null
cp target/surefire-reports/TEST-example.CalcTest.xml "$out/surefire-calc.xml"
cp target/surefire-reports/TEST-example.FlakyTest.xml "$out/surefire-flaky.xml"
ant -q -Dout="$WORK/java/target/ant" >/dev/null
cp target/ant/reports/TEST-example.CalcTest.xml "$out/ant-calc.xml"
cp target/ant/reports/TESTS-TestSuites.xml "$out/ant-junitreport.xml"
mkdir -p target/jupiter/classes
javac -d target/jupiter/classes -cp /usr/share/java/junit-platform-console-standalone.jar \
	src/main/java/example/Calc.java src/jupiter/java/example/CalcJupiterTest.java
may_fail java -jar /usr/share/java/junit-platform-console-standalone.jar --disable-banner --details=none \
	--class-path target/jupiter/classes --scan-class-path --reports-dir=target/jupiter/reports
cp target/jupiter/reports/TEST-junit-jupiter.xml "$out/junit5-console.xml"

echo "fixtures written to $out"
