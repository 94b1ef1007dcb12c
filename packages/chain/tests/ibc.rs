//! Remote collateral over a real IBC channel between two gateways, and ICS-20 deposit on
//! arrival through the hub gateway's IBC callback: two wasmd localnets and Hermes (issue 15).
//! `scripts/test` starts both chains, configures Hermes and creates the connection, then runs
//!
//! cargo test -p bulwark-chain --features ibc --test ibc -- --nocapture --test-threads=1
//!
//! with BULWARK_IBC_HUB, BULWARK_IBC_SAT and their connection ids set (`bulwark_chain::ibc_bed`).

use bulwark_chain::ibc_bed;

#[test]
fn remote_collateral_over_hermes() {
    let steps = ibc_bed::run().expect("the IBC scenario");
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "setup",
            "remote deposit",
            "perp against remote collateral",
            "withdraw, relayer restarted mid-flight",
            "error ack refunded",
            "timeout refunded",
            "keeper seizure",
            "ICS-20 round trip",
            "ICS-20 deposit on arrival",
        ]
    );
}
