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

"""Bounds on parsed YAML documents, before anything walks them.

YAML anchors and aliases let a file of a few hundred bytes stand for a
value of billions of items (a "billion laughs" document), or for a value
that contains itself. A parser builds such a value cheaply, by sharing,
but anything that then walks it does not finish (or overflows the stack).
:func:`check` counts what a document stands for, visiting each shared
value once, and refuses it before it is read further.
"""

#: Values (mappings, lists, scalars) a document may stand for once its
#: aliases are expanded: far more than a data center of 5,000 hosts and
#: 50,000 servers holds, far less than what would hang a reader.
MAX_VALUES = 5000000


class TooLarge(ValueError):
    """The document stands for too many values, or contains itself."""


def _children(node):
    return node.values() if isinstance(node, dict) else node


def expanded_size(doc, limit=MAX_VALUES):
    """How many values ``doc`` stands for, aliases expanded.

    Linear in the number of distinct values (each shared one is counted
    once and reused).

    :raises TooLarge: above ``limit``, or when a value contains itself.
    """
    if not isinstance(doc, (dict, list)):
        return 1
    sizes = {}
    todo = [(doc, False)]
    while todo:
        node, children_done = todo.pop()
        key = id(node)
        if not children_done:
            if key in sizes:
                continue
            sizes[key] = None
            todo.append((node, True))
            todo.extend((child, False) for child in _children(node)
                        if isinstance(child, (dict, list)) and
                        id(child) not in sizes)
            continue
        total = 1
        for child in _children(node):
            if not isinstance(child, (dict, list)):
                total += 1
                continue
            size = sizes[id(child)]
            if size is None:
                raise TooLarge('a value contains itself (a YAML alias to '
                               'its own anchor)')
            total += size
        if total > limit:
            raise TooLarge('it stands for more than %d values once its '
                           'YAML aliases are expanded' % limit)
        sizes[key] = total
    return sizes[id(doc)]


def check(doc, limit=MAX_VALUES):
    """Return ``doc``; raise :class:`TooLarge` if it is too large."""
    expanded_size(doc, limit)
    return doc
