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

"""Options of the optimizer library and the engine service: ``[engine]``."""

from oslo_config import cfg

ALL_CONSTRAINTS = ['capacity', 'availability_zone',
                   'aggregate_instance_extra_specs', 'affinity', 'diversity',
                   'exclusivity']

engine_group = cfg.OptGroup(
    'engine', title='Engine options',
    help='Options of the placement optimizer (valet-engine and '
         '"valet-manage plan").')

engine_opts = [
    cfg.ListOpt('constraints', default=ALL_CONSTRAINTS,
                help='Hard rules to enforce, by name of their plugin in the '
                     '"valet.engine.constraints" namespace. Every placement '
                     'satisfies all of them. Removing one disables that rule '
                     'for every request; a deployment may add its own '
                     'plugins (for example a trait or NUMA rule).'),
    cfg.StrOpt('optimizer', default='holistic',
               help='Search used to place stacks, by name of its plugin in '
                    'the "valet.engine.optimizers" namespace. "holistic" is '
                    'the fast heuristic search; "exact" uses the CP-SAT '
                    'solver of ortools and suits small stacks only.'),
    cfg.FloatOpt('time_limit', default=10.0, min=0.0,
                 help='Safety cap, in seconds, on the search of one request, '
                      'counted from the moment the search starts (after '
                      'the plugins are loaded and the request is read). '
                      'The search\'s effort is counted in work, not in '
                      'time (see search_effort), so the same input gives '
                      'the same placement on a fast or a loaded machine; a '
                      'healthy search ends long before this cap. When the '
                      'cap is reached the search returns the best valid '
                      'placement found so far (and logs a warning), which '
                      'may then depend on the machine. The "exact" '
                      'optimizer uses it as its solving time. 0 skips the '
                      'improvement phase.'),
    cfg.FloatOpt('search_effort', default=1.0, min=0.0,
                 help='Scale of the work the holistic optimizer spends '
                      'improving a valid placement by local search (moves, '
                      'exchanges and relocations tried, each bounded in '
                      'proportion to the size of the stack). 2.0 doubles '
                      'it, 0 disables the improvement phase. Work, not '
                      'time: results do not depend on the machine\'s '
                      'speed.'),
    cfg.IntOpt('backtrack_budget', default=16, min=0,
               help='Bounded backtracking of the holistic optimizer: how '
                    'many other racks a rack-affinity group may be tried '
                    'on when its members cannot all be placed in one, and '
                    'how many times the whole search may restart with the '
                    'failing work first, before reporting that no '
                    'placement exists.'),
    cfg.IntOpt('seed', default=0,
               help='Seed of the tie-breaking between equally good hosts. '
                    'The same input and seed give the same placement.'),
    cfg.StrOpt('rack_name_pattern',
               default=r'^(?P<rack>.+?)[-_.]?[hc]\d+$',
               help='Regular expression with a named group "rack" that '
                    'derives a host\'s rack from its name when neither the '
                    'host nor its aggregates name the rack (for example '
                    '"r01-h07" is in rack "r01", and "pdk15r05c001" in '
                    'rack "pdk15r05"). A host whose name does not match is '
                    'a rack of its own.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPUs per physical CPU on hosts that set no '
                      'ratio themselves and belong to no aggregate with '
                      'cpu_allocation_ratio metadata.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='Virtual RAM per physical RAM on hosts that set no '
                      'ratio themselves and belong to no aggregate with '
                      'ram_allocation_ratio metadata.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual disk per physical disk on hosts that set no '
                      'ratio themselves and belong to no aggregate with '
                      'disk_allocation_ratio metadata.'),
    cfg.FloatOpt('reserved_vcpus_percent', default=0.0, min=0.0, max=100.0,
                 help='Percentage of every host\'s virtual CPUs (after the '
                      'allocation ratio) that Valet never plans on.'),
    cfg.FloatOpt('reserved_ram_percent', default=0.0, min=0.0, max=100.0,
                 help='Percentage of every host\'s RAM (after the allocation '
                      'ratio) that Valet never plans on.'),
    cfg.FloatOpt('reserved_disk_percent', default=0.0, min=0.0, max=100.0,
                 help='Percentage of every host\'s disk (after the allocation '
                      'ratio) that Valet never plans on.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of hosts that name none and belong '
                    'to no aggregate with availability_zone metadata, as '
                    'Nova\'s own default_availability_zone.'),
    cfg.StrOpt('topology_driver', default='static',
               help='Source of the data center topology, by name of its '
                    'plugin in the "valet.topology" namespace. "static" '
                    'reads the YAML file given by topology_file.'),
    cfg.StrOpt('topology_file', default='/etc/valet/topology.yaml',
               help='YAML description of the data center read by the '
                    '"static" topology driver (format in the engine '
                    'documentation).'),
    cfg.IntOpt('topology_refresh_interval', default=300, min=0,
               help='Seconds after which valet-engine reloads the data '
                    'center from its topology source, before the next '
                    'request. 0 loads it only at start (and when asked '
                    'for).'),
    cfg.IntOpt('commit_retries', default=8, min=0,
               help='How many times valet-engine plans a request again '
                    'when another engine changed a host or group it '
                    'planned with before it could commit. Past it the '
                    'request fails with 503.'),
]


def register_opts(conf):
    """Register the [engine] options on conf."""
    conf.register_group(engine_group)
    conf.register_opts(engine_opts, group=engine_group)


def list_opts():
    """Return the [engine] options for the sample configuration."""
    return {engine_group: engine_opts}
