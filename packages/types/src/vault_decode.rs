//! The vault's entry messages decoded through [`crate::json`] (D32). Nested types the vault
//! stores (`VaultParams`, `CollateralConfig`, `RemoteCollateralConfig`, `AccountRisk`,
//! `CashFlows`, `MarketKind`, scenario shocks) go to their derived deserializers.

use cosmwasm_std::SignedDecimal256;

use crate::json::{DecodeResult, Json};
use crate::market::{RiskChange, Settlement};
use crate::ownership::OwnershipAction;
use crate::vault::{
    Cw20HookMsg, Cw20ReceiveMsg, ExecuteMsg, GatewayMsg, InstantiateMsg, LpShareMode, MarketKind,
    MigrateMsg, QueryMsg,
};
use crate::{decode_fields, deserialize_with};

fn unknown_variant(what: &str, tag: &str) -> String {
    format!("unknown variant `{tag}` of {what}")
}

pub(crate) fn decode_execute(json: Json) -> DecodeResult<ExecuteMsg> {
    const W: &str = "ExecuteMsg";
    let (tag, body) = json.into_variant(W)?;
    Ok(match tag.as_str() {
        "update_ownership" => ExecuteMsg::UpdateOwnership(decode_ownership_action(body)?),
        "update_config" => decode_fields!(
            body,
            "update_config",
            ExecuteMsg::UpdateConfig {
                oracle: opt_string,
                circuit_breaker: opt_string,
                params: opt_value,
            }
        ),
        "set_collateral" => ExecuteMsg::SetCollateral(body.into_value(&tag)?),
        "set_scenario_grid" => {
            let mut f = body.into_fields("set_scenario_grid")?;
            let msg = ExecuteMsg::SetScenarioGrid {
                asset_id: f.string("asset_id"),
                spot_shocks: f.opt_value::<Vec<SignedDecimal256>>("spot_shocks"),
                vol_shocks: f.opt_value::<Vec<SignedDecimal256>>("vol_shocks"),
            };
            f.finish()?;
            msg
        }
        "register_market" => {
            let mut f = body.into_fields("register_market")?;
            let market_addr = f.string("market_addr");
            let kind = match f.json("kind") {
                Json::Str(kind) if kind == "perps" => MarketKind::Perps,
                Json::Str(kind) if kind == "options" => MarketKind::Options,
                _ => return Err(unknown_variant("MarketKind", "kind")),
            };
            f.finish()?;
            ExecuteMsg::RegisterMarket { market_addr, kind }
        }
        "deregister_market" => {
            decode_fields!(
                body,
                "deregister_market",
                ExecuteMsg::DeregisterMarket {
                    market_addr: string,
                }
            )
        }
        "create_account" => decode_fields!(body, "create_account", ExecuteMsg::CreateAccount {}),
        "deposit" => decode_fields!(body, "deposit", ExecuteMsg::Deposit { account_id: u64 }),
        "receive" => ExecuteMsg::Receive(decode_cw20_receive(body)?),
        "withdraw" => decode_fields!(
            body,
            "withdraw",
            ExecuteMsg::Withdraw {
                account_id: u64,
                denom: string,
                amount: uint128,
                recipient: opt_string,
            }
        ),
        "settle" => ExecuteMsg::Settle(decode_settlement(body)?),
        "lp_deposit" => decode_fields!(
            body,
            "lp_deposit",
            ExecuteMsg::LpDeposit {
                min_shares: opt_uint128,
            }
        ),
        "request_lp_withdraw" => {
            decode_fields!(
                body,
                "request_lp_withdraw",
                ExecuteMsg::RequestLpWithdraw { shares: uint128 }
            )
        }
        "cancel_lp_withdraw" => {
            decode_fields!(body, "cancel_lp_withdraw", ExecuteMsg::CancelLpWithdraw {})
        }
        "lp_withdraw" => decode_fields!(
            body,
            "lp_withdraw",
            ExecuteMsg::LpWithdraw {
                min_amount: opt_uint128,
            }
        ),
        "deposit_insurance" => {
            decode_fields!(body, "deposit_insurance", ExecuteMsg::DepositInsurance {})
        }
        "withdraw_insurance" => {
            decode_fields!(
                body,
                "withdraw_insurance",
                ExecuteMsg::WithdrawInsurance {
                    denom: opt_string,
                    amount: uint128,
                    recipient: string,
                }
            )
        }
        "withdraw_fees" => decode_fields!(
            body,
            "withdraw_fees",
            ExecuteMsg::WithdrawFees {
                amount: uint128,
                recipient: string,
            }
        ),
        "liquidate" => decode_fields!(body, "liquidate", ExecuteMsg::Liquidate { account_id: u64 }),
        "finish_liquidation" => {
            decode_fields!(body, "finish_liquidation", ExecuteMsg::FinishLiquidation {})
        }
        "set_gateway" => decode_fields!(
            body,
            "set_gateway",
            ExecuteMsg::SetGateway {
                gateway: opt_string,
            }
        ),
        "gateway" => ExecuteMsg::Gateway(decode_gateway(body)?),
        "set_remote_collateral" => ExecuteMsg::SetRemoteCollateral(body.into_value(&tag)?),
        "set_remote_owner" => decode_fields!(
            body,
            "set_remote_owner",
            ExecuteMsg::SetRemoteOwner {
                account_id: u64,
                channel_id: string,
                remote_addr: opt_string,
            }
        ),
        "withdraw_remote" => decode_fields!(
            body,
            "withdraw_remote",
            ExecuteMsg::WithdrawRemote {
                account_id: u64,
                channel_id: string,
                denom: string,
                amount: uint128,
                recipient: string,
            }
        ),
        "seize_remote" => decode_fields!(
            body,
            "seize_remote",
            ExecuteMsg::SeizeRemote {
                account_id: u64,
                channel_id: string,
                denom: string,
                amount: uint128,
                recipient: opt_string,
            }
        ),
        "claim_refund" => decode_fields!(
            body,
            "claim_refund",
            ExecuteMsg::ClaimRefund { denom: string }
        ),
        "drop_remote_position" => {
            decode_fields!(
                body,
                "drop_remote_position",
                ExecuteMsg::DropRemotePosition {
                    channel_id: string,
                    account_id: u64,
                    denom: string,
                }
            )
        }
        "set_hook_sender" => decode_fields!(
            body,
            "set_hook_sender",
            ExecuteMsg::SetHookSender {
                account_id: u64,
                channel_id: string,
                original_sender: opt_string,
            }
        ),
        "hook_deposit" => decode_fields!(
            body,
            "hook_deposit",
            ExecuteMsg::HookDeposit {
                account_id: u64,
                channel_id: string,
                original_sender: string,
            }
        ),
        _ => return Err(unknown_variant(W, &tag)),
    })
}

fn decode_ownership_action(json: Json) -> DecodeResult<OwnershipAction> {
    const W: &str = "OwnershipAction";
    let (tag, body) = json.into_variant(W)?;
    Ok(match tag.as_str() {
        "transfer_ownership" => {
            decode_fields!(
                body,
                "transfer_ownership",
                OwnershipAction::TransferOwnership {
                    new_owner: string,
                    expiry_secs: opt_u64,
                }
            )
        }
        "accept_ownership" => {
            decode_fields!(
                body,
                "accept_ownership",
                OwnershipAction::AcceptOwnership {}
            )
        }
        "cancel_transfer" => {
            decode_fields!(body, "cancel_transfer", OwnershipAction::CancelTransfer {})
        }
        _ => return Err(unknown_variant(W, &tag)),
    })
}

fn decode_cw20_receive(json: Json) -> DecodeResult<Cw20ReceiveMsg> {
    Ok(decode_fields!(
        json,
        "Cw20ReceiveMsg",
        Cw20ReceiveMsg {
            sender: string,
            amount: uint128,
            msg: binary,
        }
    ))
}

fn decode_settlement(json: Json) -> DecodeResult<Settlement> {
    let mut f = json.into_fields("Settlement")?;
    let account_id = f.u64("account_id");
    let trader_addr = f.opt_addr("trader_addr");
    let cash = f.value("cash");
    let risk = f.value("risk");
    let change = match f.json("change") {
        Json::Str(c) if c == "increase" => RiskChange::Increase,
        Json::Str(c) if c == "reduce" => RiskChange::Reduce,
        _ => return Err(unknown_variant("RiskChange", "change")),
    };
    let settlement = Settlement {
        account_id,
        trader_addr,
        cash,
        risk,
        change,
    };
    f.finish()?;
    Ok(settlement)
}

pub(crate) fn decode_gateway(json: Json) -> DecodeResult<GatewayMsg> {
    const W: &str = "GatewayMsg";
    let (tag, body) = json.into_variant(W)?;
    Ok(match tag.as_str() {
        "credit" => decode_fields!(
            body,
            "credit",
            GatewayMsg::Credit {
                channel_id: string,
                connection_id: string,
                cap_channels: strings,
                account_id: u64,
                denom: string,
                amount: uint128,
                depositor: string,
            }
        ),
        "release_resolved" => decode_fields!(
            body,
            "release_resolved",
            GatewayMsg::ReleaseResolved {
                release_id: u64,
                delivered: bool,
            }
        ),
        "arrival" => decode_fields!(
            body,
            "arrival",
            GatewayMsg::Arrival {
                account_id: u64,
                channel_id: string,
                sender: string,
            }
        ),
        _ => return Err(unknown_variant(W, &tag)),
    })
}

pub(crate) fn decode_cw20_hook(json: Json) -> DecodeResult<Cw20HookMsg> {
    const W: &str = "Cw20HookMsg";
    let (tag, body) = json.into_variant(W)?;
    match tag.as_str() {
        "deposit" => Ok(decode_fields!(
            body,
            "deposit",
            Cw20HookMsg::Deposit { account_id: u64 }
        )),
        _ => Err(unknown_variant(W, &tag)),
    }
}

pub(crate) fn decode_query(json: Json) -> DecodeResult<QueryMsg> {
    const W: &str = "QueryMsg";
    let (tag, body) = json.into_variant(W)?;
    Ok(match tag.as_str() {
        "ownership" => decode_fields!(body, "ownership", QueryMsg::Ownership {}),
        "config" => decode_fields!(body, "config", QueryMsg::Config {}),
        "account" => decode_fields!(body, "account", QueryMsg::Account { account_id: u64 }),
        "accounts_by_owner" => {
            decode_fields!(
                body,
                "accounts_by_owner",
                QueryMsg::AccountsByOwner {
                    owner: string,
                    start_after: opt_u64,
                    limit: opt_u32,
                }
            )
        }
        "health" => decode_fields!(body, "health", QueryMsg::Health { account_id: u64 }),
        "pool" => decode_fields!(body, "pool", QueryMsg::Pool {}),
        "lp_position" => decode_fields!(body, "lp_position", QueryMsg::LpPosition { lp: string }),
        "markets" => decode_fields!(
            body,
            "markets",
            QueryMsg::Markets {
                start_after: opt_string,
                limit: opt_u32,
            }
        ),
        "collateral_configs" => {
            decode_fields!(
                body,
                "collateral_configs",
                QueryMsg::CollateralConfigs {
                    start_after: opt_string,
                    limit: opt_u32,
                }
            )
        }
        "scenario_grid" => decode_fields!(
            body,
            "scenario_grid",
            QueryMsg::ScenarioGrid { asset_id: string }
        ),
        "system_risk" => decode_fields!(body, "system_risk", QueryMsg::SystemRisk {}),
        "totals" => decode_fields!(
            body,
            "totals",
            QueryMsg::Totals {
                start_after: opt_string,
                limit: opt_u32,
            }
        ),
        "remote_collaterals" => {
            decode_fields!(
                body,
                "remote_collaterals",
                QueryMsg::RemoteCollaterals {
                    start_after: opt_string_pair,
                    limit: opt_u32,
                }
            )
        }
        "remote_positions" => decode_fields!(
            body,
            "remote_positions",
            QueryMsg::RemotePositions { account_id: u64 }
        ),
        "remote_owner" => decode_fields!(
            body,
            "remote_owner",
            QueryMsg::RemoteOwner {
                account_id: u64,
                channel_id: string,
            }
        ),
        "remote_totals" => decode_fields!(
            body,
            "remote_totals",
            QueryMsg::RemoteTotals {
                channel_id: string,
                denom: string,
            }
        ),
        "pending_releases" => decode_fields!(
            body,
            "pending_releases",
            QueryMsg::PendingReleases {
                start_after: opt_u64,
                limit: opt_u32,
            }
        ),
        "hook_sender" => decode_fields!(
            body,
            "hook_sender",
            QueryMsg::HookSender {
                account_id: u64,
                channel_id: string,
            }
        ),
        "hook_intermediate_sender" => {
            decode_fields!(
                body,
                "hook_intermediate_sender",
                QueryMsg::HookIntermediateSender {
                    channel_id: string,
                    original_sender: string,
                }
            )
        }
        "claimable" => decode_fields!(
            body,
            "claimable",
            QueryMsg::Claimable {
                address: string,
                denom: string,
            }
        ),
        _ => return Err(unknown_variant(W, &tag)),
    })
}

fn decode_instantiate(json: Json) -> DecodeResult<InstantiateMsg> {
    let mut f = json.into_fields("InstantiateMsg")?;
    let owner = f.string("owner");
    let settlement_denom = f.string("settlement_denom");
    let settlement_decimals = f.u8("settlement_decimals");
    let oracle = f.opt_string("oracle");
    let circuit_breaker = f.opt_string("circuit_breaker");
    let params = f.value("params");
    let lp_shares = match f.opt_json("lp_shares") {
        None => LpShareMode::default(),
        Some(json) => decode_lp_share_mode(json)?,
    };
    let msg = InstantiateMsg {
        owner,
        settlement_denom,
        settlement_decimals,
        oracle,
        circuit_breaker,
        params,
        lp_shares,
    };
    f.finish()?;
    Ok(msg)
}

fn decode_lp_share_mode(json: Json) -> DecodeResult<LpShareMode> {
    const W: &str = "LpShareMode";
    let (tag, body) = json.into_variant(W)?;
    Ok(match (tag.as_str(), body) {
        ("ledger", Json::Null) => LpShareMode::Ledger,
        ("token_factory", body) => decode_fields!(
            body,
            "token_factory",
            LpShareMode::TokenFactory { subdenom: string }
        ),
        _ => return Err(unknown_variant(W, &tag)),
    })
}

fn decode_migrate(json: Json) -> DecodeResult<MigrateMsg> {
    Ok(decode_fields!(json, "MigrateMsg", MigrateMsg {}))
}

deserialize_with!(ExecuteMsg, decode_execute);
deserialize_with!(GatewayMsg, decode_gateway);
deserialize_with!(Cw20HookMsg, decode_cw20_hook);
deserialize_with!(QueryMsg, decode_query);
deserialize_with!(InstantiateMsg, decode_instantiate);
deserialize_with!(MigrateMsg, decode_migrate);

#[cfg(test)]
mod tests {
    use cosmwasm_std::{from_json, to_json_vec, Addr, Binary, Decimal, Int128, Uint128};
    use proptest::prelude::*;

    use crate::ibc::RemoteCollateralConfig;
    use crate::market::{AccountRisk, CashFlows, UnderlyingRisk};
    use crate::vault::{CollateralConfig, DenomKind, VaultParams};

    use super::*;

    fn round_trip<T>(value: &T)
    where
        T: cosmwasm_schema::serde::Serialize
            + cosmwasm_schema::serde::de::DeserializeOwned
            + PartialEq
            + std::fmt::Debug,
    {
        let bytes = to_json_vec(value).unwrap();
        let back: T = from_json(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&bytes)));
        assert_eq!(&back, value, "{}", String::from_utf8_lossy(&bytes));
    }

    /// Index of each variant: adding a variant breaks this match until it has a sample.
    fn execute_index(msg: &ExecuteMsg) -> usize {
        match msg {
            ExecuteMsg::UpdateOwnership(_) => 0,
            ExecuteMsg::UpdateConfig { .. } => 1,
            ExecuteMsg::SetCollateral(_) => 2,
            ExecuteMsg::SetScenarioGrid { .. } => 3,
            ExecuteMsg::RegisterMarket { .. } => 4,
            ExecuteMsg::DeregisterMarket { .. } => 5,
            ExecuteMsg::CreateAccount {} => 6,
            ExecuteMsg::Deposit { .. } => 7,
            ExecuteMsg::Receive(_) => 8,
            ExecuteMsg::Withdraw { .. } => 9,
            ExecuteMsg::Settle(_) => 10,
            ExecuteMsg::LpDeposit { .. } => 11,
            ExecuteMsg::RequestLpWithdraw { .. } => 12,
            ExecuteMsg::CancelLpWithdraw {} => 13,
            ExecuteMsg::LpWithdraw { .. } => 14,
            ExecuteMsg::DepositInsurance {} => 15,
            ExecuteMsg::WithdrawInsurance { .. } => 16,
            ExecuteMsg::WithdrawFees { .. } => 17,
            ExecuteMsg::Liquidate { .. } => 18,
            ExecuteMsg::FinishLiquidation {} => 19,
            ExecuteMsg::SetGateway { .. } => 20,
            ExecuteMsg::Gateway(_) => 21,
            ExecuteMsg::SetRemoteCollateral(_) => 22,
            ExecuteMsg::SetRemoteOwner { .. } => 23,
            ExecuteMsg::WithdrawRemote { .. } => 24,
            ExecuteMsg::SeizeRemote { .. } => 25,
            ExecuteMsg::ClaimRefund { .. } => 26,
            ExecuteMsg::DropRemotePosition { .. } => 27,
            ExecuteMsg::SetHookSender { .. } => 28,
            ExecuteMsg::HookDeposit { .. } => 29,
        }
    }
    const EXECUTE_VARIANTS: usize = 30;

    fn query_index(msg: &QueryMsg) -> usize {
        match msg {
            QueryMsg::Ownership {} => 0,
            QueryMsg::Config {} => 1,
            QueryMsg::Account { .. } => 2,
            QueryMsg::AccountsByOwner { .. } => 3,
            QueryMsg::Health { .. } => 4,
            QueryMsg::Pool {} => 5,
            QueryMsg::LpPosition { .. } => 6,
            QueryMsg::Markets { .. } => 7,
            QueryMsg::CollateralConfigs { .. } => 8,
            QueryMsg::ScenarioGrid { .. } => 9,
            QueryMsg::SystemRisk {} => 10,
            QueryMsg::Totals { .. } => 11,
            QueryMsg::RemoteCollaterals { .. } => 12,
            QueryMsg::RemotePositions { .. } => 13,
            QueryMsg::RemoteOwner { .. } => 14,
            QueryMsg::RemoteTotals { .. } => 15,
            QueryMsg::PendingReleases { .. } => 16,
            QueryMsg::HookSender { .. } => 17,
            QueryMsg::HookIntermediateSender { .. } => 18,
            QueryMsg::Claimable { .. } => 19,
        }
    }
    const QUERY_VARIANTS: usize = 20;

    /// Strings a decoder must carry through unchanged, escapes included.
    const AWKWARD: &str = "a\"b\\c\u{1}\n\u{e9}\u{1F600}/";

    fn collateral() -> CollateralConfig {
        CollateralConfig {
            denom: AWKWARD.to_string(),
            kind: DenomKind::Cw20,
            oracle_asset_id: "ATOM".to_string(),
            haircut: Decimal::percent(20),
            deposit_cap: Uint128::MAX,
            decimals: 6,
        }
    }

    fn settlement(change: RiskChange, trader: Option<&str>) -> Settlement {
        Settlement {
            account_id: u64::MAX,
            trader_addr: trader.map(Addr::unchecked),
            cash: CashFlows {
                pnl_vs_pool: Int128::MIN,
                fee_to_pool: Uint128::new(3),
                fee_to_protocol: Uint128::zero(),
            },
            risk: AccountRisk {
                underlyings: vec![UnderlyingRisk {
                    asset_id: "ETH".to_string(),
                    grid_version: 7,
                    unrealized_pnl: Int128::new(-5),
                    scenario_pnl: vec![Int128::new(1), Int128::new(-2)],
                    maintenance_addon: Uint128::new(9),
                    initial_addon: Uint128::new(10),
                }],
            },
            change,
        }
    }

    fn execute_samples() -> Vec<ExecuteMsg> {
        let s = |v: &str| v.to_string();
        vec![
            ExecuteMsg::UpdateOwnership(OwnershipAction::TransferOwnership {
                new_owner: s("dao"),
                expiry_secs: Some(60),
            }),
            ExecuteMsg::UpdateOwnership(OwnershipAction::TransferOwnership {
                new_owner: s("dao"),
                expiry_secs: None,
            }),
            ExecuteMsg::UpdateOwnership(OwnershipAction::AcceptOwnership {}),
            ExecuteMsg::UpdateOwnership(OwnershipAction::CancelTransfer {}),
            ExecuteMsg::UpdateConfig {
                oracle: Some(s("oracle")),
                circuit_breaker: None,
                params: Some(VaultParams::default()),
            },
            ExecuteMsg::UpdateConfig {
                oracle: None,
                circuit_breaker: Some(s("cb")),
                params: None,
            },
            ExecuteMsg::SetCollateral(collateral()),
            ExecuteMsg::SetScenarioGrid {
                asset_id: s("ETH"),
                spot_shocks: Some(vec![
                    SignedDecimal256::percent(-10),
                    SignedDecimal256::percent(10),
                ]),
                vol_shocks: None,
            },
            ExecuteMsg::RegisterMarket {
                market_addr: s("perps"),
                kind: MarketKind::Perps,
            },
            ExecuteMsg::RegisterMarket {
                market_addr: s("options"),
                kind: MarketKind::Options,
            },
            ExecuteMsg::DeregisterMarket {
                market_addr: s("m"),
            },
            ExecuteMsg::CreateAccount {},
            ExecuteMsg::Deposit { account_id: 0 },
            ExecuteMsg::Receive(Cw20ReceiveMsg {
                sender: s("alice"),
                amount: Uint128::new(5),
                msg: Binary::from(br#"{"deposit":{"account_id":1}}"#),
            }),
            ExecuteMsg::Withdraw {
                account_id: 1,
                denom: s(AWKWARD),
                amount: Uint128::MAX,
                recipient: Some(s("bob")),
            },
            ExecuteMsg::Withdraw {
                account_id: 1,
                denom: s("uusdc"),
                amount: Uint128::one(),
                recipient: None,
            },
            ExecuteMsg::Settle(settlement(RiskChange::Increase, Some("trader"))),
            ExecuteMsg::Settle(settlement(RiskChange::Reduce, None)),
            ExecuteMsg::LpDeposit {
                min_shares: Some(Uint128::new(7)),
            },
            ExecuteMsg::LpDeposit { min_shares: None },
            ExecuteMsg::RequestLpWithdraw {
                shares: Uint128::new(8),
            },
            ExecuteMsg::CancelLpWithdraw {},
            ExecuteMsg::LpWithdraw {
                min_amount: Some(Uint128::zero()),
            },
            ExecuteMsg::LpWithdraw { min_amount: None },
            ExecuteMsg::DepositInsurance {},
            ExecuteMsg::WithdrawInsurance {
                denom: Some(s("uatom")),
                amount: Uint128::new(1),
                recipient: s("r"),
            },
            ExecuteMsg::WithdrawFees {
                amount: Uint128::new(2),
                recipient: s("r"),
            },
            ExecuteMsg::Liquidate { account_id: 3 },
            ExecuteMsg::FinishLiquidation {},
            ExecuteMsg::SetGateway {
                gateway: Some(s("gw")),
            },
            ExecuteMsg::SetGateway { gateway: None },
            ExecuteMsg::Gateway(GatewayMsg::Credit {
                channel_id: s("channel-0"),
                connection_id: s("connection-0"),
                cap_channels: vec![s("channel-0"), s("channel-3")],
                account_id: 4,
                denom: s("uatom"),
                amount: Uint128::new(100),
                depositor: s("cosmos1x"),
            }),
            ExecuteMsg::Gateway(GatewayMsg::ReleaseResolved {
                release_id: 9,
                delivered: true,
            }),
            ExecuteMsg::Gateway(GatewayMsg::ReleaseResolved {
                release_id: 10,
                delivered: false,
            }),
            ExecuteMsg::Gateway(GatewayMsg::Arrival {
                account_id: 1,
                channel_id: s("channel-1"),
                sender: s("cosmos1y"),
            }),
            ExecuteMsg::SetRemoteCollateral(RemoteCollateralConfig {
                connection_id: s("connection-0"),
                denom: s(AWKWARD),
                oracle_asset_id: s("ATOM"),
                decimals: 6,
                haircut: Decimal::percent(30),
                deposit_cap: Uint128::new(1_000),
            }),
            ExecuteMsg::SetRemoteOwner {
                account_id: 1,
                channel_id: s("channel-0"),
                remote_addr: Some(s("cosmos1z")),
            },
            ExecuteMsg::SetRemoteOwner {
                account_id: 1,
                channel_id: s("channel-0"),
                remote_addr: None,
            },
            ExecuteMsg::WithdrawRemote {
                account_id: 1,
                channel_id: s("channel-0"),
                denom: s("uatom"),
                amount: Uint128::new(5),
                recipient: s("cosmos1z"),
            },
            ExecuteMsg::SeizeRemote {
                account_id: 1,
                channel_id: s("channel-0"),
                denom: s("uatom"),
                amount: Uint128::new(5),
                recipient: None,
            },
            ExecuteMsg::ClaimRefund { denom: s("uatom") },
            ExecuteMsg::DropRemotePosition {
                channel_id: s("channel-0"),
                account_id: 2,
                denom: s("uatom"),
            },
            ExecuteMsg::SetHookSender {
                account_id: 1,
                channel_id: s("channel-0"),
                original_sender: Some(s("cosmos1w")),
            },
            ExecuteMsg::SetHookSender {
                account_id: 1,
                channel_id: s("channel-0"),
                original_sender: None,
            },
            ExecuteMsg::HookDeposit {
                account_id: 1,
                channel_id: s("channel-0"),
                original_sender: s("cosmos1w"),
            },
        ]
    }

    fn query_samples() -> Vec<QueryMsg> {
        let s = |v: &str| v.to_string();
        vec![
            QueryMsg::Ownership {},
            QueryMsg::Config {},
            QueryMsg::Account { account_id: 1 },
            QueryMsg::AccountsByOwner {
                owner: s("alice"),
                start_after: Some(3),
                limit: Some(u32::MAX),
            },
            QueryMsg::AccountsByOwner {
                owner: s("alice"),
                start_after: None,
                limit: None,
            },
            QueryMsg::Health { account_id: 1 },
            QueryMsg::Pool {},
            QueryMsg::LpPosition { lp: s("lp") },
            QueryMsg::Markets {
                start_after: Some(s("m")),
                limit: Some(2),
            },
            QueryMsg::CollateralConfigs {
                start_after: None,
                limit: None,
            },
            QueryMsg::ScenarioGrid { asset_id: s("ETH") },
            QueryMsg::SystemRisk {},
            QueryMsg::Totals {
                start_after: Some(s(AWKWARD)),
                limit: Some(0),
            },
            QueryMsg::RemoteCollaterals {
                start_after: Some((s("connection-0"), s(AWKWARD))),
                limit: Some(1),
            },
            QueryMsg::RemoteCollaterals {
                start_after: None,
                limit: None,
            },
            QueryMsg::RemotePositions { account_id: 1 },
            QueryMsg::RemoteOwner {
                account_id: 1,
                channel_id: s("channel-0"),
            },
            QueryMsg::RemoteTotals {
                channel_id: s("channel-0"),
                denom: s("uatom"),
            },
            QueryMsg::PendingReleases {
                start_after: Some(u64::MAX),
                limit: None,
            },
            QueryMsg::HookSender {
                account_id: 1,
                channel_id: s("channel-0"),
            },
            QueryMsg::HookIntermediateSender {
                channel_id: s("channel-0"),
                original_sender: s("cosmos1w"),
            },
            QueryMsg::Claimable {
                address: s("k"),
                denom: s("uatom"),
            },
        ]
    }

    #[test]
    fn every_execute_variant_round_trips() {
        let samples = execute_samples();
        let mut seen = [false; EXECUTE_VARIANTS];
        for msg in &samples {
            seen[execute_index(msg)] = true;
            round_trip(msg);
        }
        assert!(seen.iter().all(|s| *s), "a variant has no sample");
    }

    #[test]
    fn every_query_variant_round_trips() {
        let mut seen = [false; QUERY_VARIANTS];
        for msg in &query_samples() {
            seen[query_index(msg)] = true;
            round_trip(msg);
        }
        assert!(seen.iter().all(|s| *s), "a variant has no sample");
    }

    #[test]
    fn other_messages_round_trip() {
        round_trip(&Cw20HookMsg::Deposit { account_id: 5 });
        round_trip(&MigrateMsg {});
        let mut msg = InstantiateMsg {
            owner: "dao".to_string(),
            settlement_denom: "uusdc".to_string(),
            settlement_decimals: 6,
            oracle: Some("oracle".to_string()),
            circuit_breaker: None,
            params: VaultParams::default(),
            lp_shares: LpShareMode::Ledger,
        };
        round_trip(&msg);
        msg.lp_shares = LpShareMode::TokenFactory {
            subdenom: "blp".to_string(),
        };
        round_trip(&msg);
    }

    fn parse_execute(json: &str) -> Result<ExecuteMsg, String> {
        from_json::<ExecuteMsg>(json.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_what_clients_send() {
        // absent options, whitespace, fields in any order, the serde defaults of nested types
        assert_eq!(
            parse_execute(
                r#" { "withdraw" : { "amount":"5", "denom":"uusdc", "account_id":1 } } "#
            ),
            Ok(ExecuteMsg::Withdraw {
                account_id: 1,
                denom: "uusdc".to_string(),
                amount: Uint128::new(5),
                recipient: None,
            })
        );
        assert_eq!(
            parse_execute(r#"{"lp_deposit":{"min_shares":null}}"#),
            Ok(ExecuteMsg::LpDeposit { min_shares: None })
        );
        let params = r#"{"maintenance_factor":"1","initial_factor":"1.5","price_max_age_secs":120,"lp_withdraw_delay_secs":86400,"liquidation_close_factor":"0.5","liquidation_penalty":"0.01","keeper_share":"0.5"}"#;
        assert_eq!(
            parse_execute(&format!(r#"{{"update_config":{{"params":{params}}}}}"#)),
            Ok(ExecuteMsg::UpdateConfig {
                oracle: None,
                circuit_breaker: None,
                params: Some(VaultParams::default()),
            })
        );
        let init = format!(
            r#"{{"owner":"o","settlement_denom":"uusdc","settlement_decimals":6,"params":{params}}}"#
        );
        let msg: InstantiateMsg = from_json(init.as_bytes()).unwrap();
        assert_eq!(msg.lp_shares, LpShareMode::Ledger);
        assert_eq!(msg.oracle, None);
    }

    #[test]
    fn refuses_malformed_messages() {
        let refused = [
            // unknown variant, unknown field, repeated field, two variants, not an object
            r#"{"steal":{}}"#,
            r#"{"deposit":{"account_id":1,"extra":2}}"#,
            r#"{"deposit":{"account_id":1,"account_id":2}}"#,
            r#"{"deposit":{"account_id":1},"liquidate":{"account_id":1}}"#,
            r#"{}"#,
            r#""create_account""#,
            r#"[{"deposit":{"account_id":1}}]"#,
            // missing, null or mistyped required fields
            r#"{"deposit":{}}"#,
            r#"{"deposit":{"account_id":null}}"#,
            r#"{"deposit":{"account_id":"1"}}"#,
            r#"{"deposit":{"account_id":-1}}"#,
            r#"{"withdraw":{"account_id":1,"denom":"u","amount":5}}"#,
            r#"{"withdraw":{"account_id":1,"denom":"u","amount":"-5"}}"#,
            r#"{"withdraw":{"account_id":1,"denom":"u","amount":"340282366920938463463374607431768211456"}}"#,
            r#"{"withdraw":{"account_id":1,"denom":7,"amount":"5"}}"#,
            r#"{"create_account":{"x":1}}"#,
            r#"{"create_account":null}"#,
            r#"{"register_market":{"market_addr":"m","kind":"swaps"}}"#,
            r#"{"gateway":{"release_resolved":{"release_id":1,"delivered":"yes"}}}"#,
            r#"{"gateway":{"credit":{"channel_id":"c","connection_id":"k","cap_channels":"c","account_id":1,"denom":"d","amount":"1","depositor":"x"}}}"#,
            r#"{"update_ownership":{"transfer_ownership":{"new_owner":"x","expiry_secs":1,"now":2}}}"#,
            r#"{"receive":{"sender":"s","amount":"1","msg":"not base64!"}}"#,
            r#"{"set_collateral":{"denom":"d"}}"#,
            // trailing garbage and broken JSON
            r#"{"deposit":{"account_id":1}} x"#,
            r#"{"deposit":{"account_id":1}"#,
        ];
        for json in refused {
            assert!(parse_execute(json).is_err(), "accepted {json}");
        }
        let query = |json: &str| from_json::<QueryMsg>(json.as_bytes());
        assert!(query(r#"{"accounts_by_owner":{"owner":"o","limit":4294967296}}"#).is_err());
        assert!(query(r#"{"remote_collaterals":{"start_after":["a"]}}"#).is_err());
        assert!(query(r#"{"config":{"x":null}}"#).is_err());
        assert!(from_json::<MigrateMsg>(br#"{"x":1}"#).is_err());
        assert!(from_json::<Cw20HookMsg>(br#"{"deposit":{}}"#).is_err());
    }

    proptest! {
        /// Any strings and amounts survive the decoder, through its own readers and through
        /// the nested derived deserializers it hands JSON back to.
        #[test]
        fn strings_and_amounts_round_trip(
            denom in any::<String>(),
            recipient in proptest::option::of(any::<String>()),
            account_id in any::<u64>(),
            amount in any::<u128>(),
        ) {
            round_trip(&ExecuteMsg::Withdraw {
                account_id,
                denom: denom.clone(),
                amount: Uint128::new(amount),
                recipient,
            });
            round_trip(&ExecuteMsg::SetCollateral(CollateralConfig {
                denom: denom.clone(),
                kind: DenomKind::Native,
                oracle_asset_id: denom.clone(),
                haircut: Decimal::percent(10),
                deposit_cap: Uint128::new(amount),
                decimals: 6,
            }));
            round_trip(&QueryMsg::RemoteCollaterals {
                start_after: Some((denom.clone(), denom)),
                limit: None,
            });
        }
    }
}
