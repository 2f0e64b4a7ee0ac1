# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Count a subunit v2 stream on stdin: print "PASSED FAILED SKIPPED".

Used by tools/run-tests.sh and tools/e2e/run.sh on the streams of stestr
and of tempest. A test counts once, by its last status; tempest's
class-level fixtures (``setUpClass (...)``) count as tests, so a class that
failed to set up is a failure.
"""

import sys

import subunit
import testtools


def count(stream):
    """Return (passed, failed, skipped) of a subunit v2 byte stream."""
    outcomes = {}

    def record(test):
        if test['id']:
            outcomes[test['id']] = test['status']

    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(
            stream, non_subunit_name='stdout').run(result)
    finally:
        result.stopTestRun()
    passed = failed = skipped = 0
    for status in outcomes.values():
        if status in ('success', 'xfail'):
            passed += 1
        elif status == 'skip':
            skipped += 1
        else:
            failed += 1
    return passed, failed, skipped


def main():
    """Print the counts of the stream on stdin."""
    print('%d %d %d' % count(sys.stdin.buffer))
    return 0


if __name__ == '__main__':
    sys.exit(main())
