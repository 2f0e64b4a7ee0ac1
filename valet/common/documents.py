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


_CONTAINERS = (dict, list)


def _containers(node):
    """The mapping or list values of ``node``, and how many values it has.
    """
    values = node.values() if isinstance(node, dict) else node
    return [v for v in values if isinstance(v, _CONTAINERS)], len(values)


def expanded_size(doc, limit=MAX_VALUES):
    """How many values ``doc`` stands for, aliases expanded.

    Linear in the number of distinct values (each shared one is counted
    once and reused).

    :raises TooLarge: above ``limit``, or when a value contains itself.
    """
    if not isinstance(doc, _CONTAINERS):
        return 1
    sizes = {}
    todo = [(doc, None)]
    while todo:
        node, found = todo.pop()
        if found is None:
            if id(node) in sizes:
                continue
            sizes[id(node)] = None
            found = _containers(node)
            todo.append((node, found))
            todo.extend((child, None) for child in found[0]
                        if id(child) not in sizes)
            continue
        children, count = found
        total = 1 + count - len(children)
        for child in children:
            size = sizes[id(child)]
            if size is None:
                raise TooLarge('a value contains itself (a YAML alias to '
                               'its own anchor)')
            total += size
        if total > limit:
            raise TooLarge('it stands for more than %d values once its '
                           'YAML aliases are expanded' % limit)
        sizes[id(node)] = total
    return sizes[id(doc)]


def check(doc, text=None, limit=MAX_VALUES):
    """Return ``doc``; raise :class:`TooLarge` if it is too large.

    :param text: the YAML text ``doc`` was parsed from (str or bytes). An
        alias is written ``*name``: a text without ``*`` has none, and
        its document is not walked (a data center's files are megabytes).
    """
    if text is not None and (b'*' if isinstance(text, bytes) else '*') \
            not in text:
        return doc
    expanded_size(doc, limit)
    return doc
