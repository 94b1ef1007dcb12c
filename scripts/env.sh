# Shared settings for the scripts; source it, do not run it.
# shellcheck shell=bash
BULWARK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BULWARK_TOOLS=${BULWARK_TOOLS:-$HOME/.cache/bulwark/tools}
# cosmwasm-check of the VM line each chain runs: Osmosis wasmvm 2.2, Neutron wasmvm 3.0.
COSMWASM_CHECK_OSMOSIS_VERSION=2.2.10
COSMWASM_CHECK_NEUTRON_VERSION=3.0.10
COSMWASM_CHECK_OSMOSIS="$BULWARK_TOOLS/cosmwasm-check-$COSMWASM_CHECK_OSMOSIS_VERSION/bin/cosmwasm-check"
COSMWASM_CHECK_NEUTRON="$BULWARK_TOOLS/cosmwasm-check-$COSMWASM_CHECK_NEUTRON_VERSION/bin/cosmwasm-check"
# Capabilities the chains advertise; an artifact needing more is refused.
OSMOSIS_CAPABILITIES="iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1"
NEUTRON_CAPABILITIES="iterator,staking,stargate,neutron,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2"
# The contract crates, in deployment order.
CONTRACTS=(oracle circuit-breaker vault gateway perps options)
# Built with the `release-speed` profile (opt-level 3) and wasm-opt -Oz: their execution, not
# storage, dominates a hot path (options risk reports revalue every position per scenario;
# docs/gas.md). The others are built for size.
SPEED_CONTRACTS=(options)
# Built with the `release-small` profile (opt-level "z") and wasm-opt -Oz: the vault is the
# largest contract (contracts/vault/README.md, "Size").
SMALL_CONTRACTS=(vault)
# Built with the `release` profile in a cargo invocation of their own: the gateway enables
# cosmwasm-std's `cosmwasm_2_1` (IBC callbacks), which would otherwise be unified into every
# contract built beside it and make each of them require that capability.
ISOLATED_CONTRACTS=(gateway)
# Third-party contracts built into artifacts/ like ours, from crates.io at the exact version
# their wrapper crate pins: third_party/<name> (package `bulwark-third-party-<name>`) becomes
# artifacts/<name with _>.wasm, built with the `release` profile (opt-level "s") and
# wasm-opt -Os. Not part of CONTRACTS, which is our deployment order.
THIRD_PARTY_CONTRACTS=(cw3-fixed-multisig cw20-base)
