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

"""Matching of a flavor extra spec against aggregate metadata.

Same semantics as Nova's scheduler (``nova.scheduler.filters.
extra_specs_ops``) so that Valet never picks a host Nova would refuse: the
first word of the requirement may be an operator; without one the strings
must be equal.
"""

import operator


def _number(op):
    def compare(value, wanted):
        return op(float(value), float(wanted))
    return compare


def _contains(value, wanted):
    return wanted in value


#: Operator -> f(aggregate value, requested word).
OPERATORS = {
    '=': _number(operator.ge),
    '==': _number(operator.eq),
    '!=': _number(operator.ne),
    '>=': _number(operator.ge),
    '<=': _number(operator.le),
    '<in>': _contains,
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
}


def _match_or(value, words):
    # "<or> v1 <or> v2": every other word is a candidate value.
    return value in words[::2]


def match(value, requirement):
    """Whether aggregate metadata ``value`` satisfies ``requirement``."""
    words = str(requirement).split()
    op = words[0] if words else None
    if op != '<or>' and op not in OPERATORS and op != '<all-in>':
        return value == requirement
    if value is None:
        return False
    args = words[1:]
    if op == '<or>':
        return bool(args) and _match_or(value, args)
    if not args:
        return False
    if op == '<all-in>':
        return all(word in value for word in args)
    try:
        return bool(OPERATORS[op](value, args[0]))
    except ValueError:
        # A non-numeric value never satisfies a numeric comparison.
        return False
