#!/bin/bash
#
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
#
# plugin.sh - devstack's entry into Valet: "enable_plugin valet <repo>".
#
# devstack sources this file at each phase with the phase as arguments:
# "stack pre-install|install|post-config|extra|test-config", "unstack",
# "clean".
#
# shellcheck shell=bash

# Save trace setting
_XTRACE_VALET_PLUGIN=$(set +o | grep xtrace)
set -o xtrace

# shellcheck source=devstack/lib/valet
source "$VALET_DIR/devstack/lib/valet"

if is_valet_enabled; then
    if [[ "$1" == "stack" && "$2" == "pre-install" ]]; then
        check_valet_plugin_order

    elif [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Valet"
        install_valet

    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Valet"
        configure_valet
        if is_service_enabled key; then
            create_valet_accounts
        fi
        if is_service_enabled h-eng && [[ "$VALET_CONFIGURE_HEAT" == "True" ]]; then
            echo_summary "Configuring Heat for Valet"
            configure_heat_for_valet
        fi
        if is_service_enabled n-sch && [[ "$VALET_CONFIGURE_NOVA" == "True" ]]; then
            echo_summary "Configuring Nova for Valet"
            configure_nova_for_valet
        fi
        echo_summary "Creating Valet's database"
        init_valet

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Valet"
        start_valet

    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        if is_service_enabled tempest; then
            echo_summary "Configuring tempest for Valet"
            configure_tempest_for_valet
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        echo_summary "Stopping Valet"
        stop_valet
    fi

    if [[ "$1" == "clean" ]]; then
        echo_summary "Cleaning Valet up"
        cleanup_valet
    fi
fi

# Restore xtrace
$_XTRACE_VALET_PLUGIN
