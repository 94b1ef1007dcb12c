//! Multi-test flows of the oracle: feeders, mock Pyth, a mocked Osmosis TWAP stargate query,
//! a mock circuit breaker, the raw-query consumer helper against the real contract storage.

use std::str::FromStr;

use anyhow::Result as AnyResult;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::testing::{MockApi, MockStorage};
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, ContractInfo, Decimal256, Deps, DepsMut, Empty,
    Env, Int64, MessageInfo, Querier, Response, SignedDecimal256, StdError, StdResult, Storage,
    Uint64,
};
use cw_multi_test::{
    App, AppBuilder, AppResponse, BankKeeper, ContractWrapper, DistributionKeeper, Executor,
    FailingModule, GovFailingModule, IbcFailingModule, StakeKeeper, Stargate, WasmKeeper,
};
use osmosis_std::types::osmosis::twap::v1beta1::{
    ArithmeticTwapToNowRequest, ArithmeticTwapToNowResponse, GeometricTwapToNowRequest,
    GeometricTwapToNowResponse,
};

use bulwark_oracle::ContractError;
use bulwark_testing::oracle::{contract, instantiate_msg, mock_pyth_contract, MockPythExecuteMsg};
use bulwark_types::circuit_breaker::{ExecuteMsg as BreakerMsg, Level, Scope};
use bulwark_types::oracle::{
    query_price_raw, usable_price, AssetConfig, AssetsResponse, DelayConfig, DelayedState,
    ExecuteMsg, FeedPrice, FeedersResponse, MaxMove, PriceDetailResponse, PriceError, PricePurpose,
    PriceRecord, PriceResponse, PricesResponse, PythPrice, QueryMsg, Rejection, Source,
    SourceStatus, TripTarget, TwapKind, TwapResponse, FLAG_MOVE_BLOCKED, FLAG_PAUSED,
};

// ---------------------------------------------------------------------------------------------
// Osmosis TWAP stargate mock: pool 1 answers 9.87 (arithmetic) / 9.86 (geometric) smallest
// units per smallest unit; any other pool fails.

struct TwapMock;

impl Stargate for TwapMock {
    fn query_stargate(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        block: &BlockInfo,
        path: String,
        data: Binary,
    ) -> AnyResult<Binary> {
        match path.as_str() {
            "/osmosis.twap.v1beta1.Query/ArithmeticTwapToNow" => {
                let req = ArithmeticTwapToNowRequest::try_from(data)?;
                anyhow::ensure!(req.pool_id == 1, "pool {} not found", req.pool_id);
                let start = req.start_time.map(|t| t.seconds).unwrap_or_default();
                anyhow::ensure!(
                    start == block.time.seconds() as i64 - 600,
                    "unexpected start time {start}"
                );
                Ok(to_json_binary(&ArithmeticTwapToNowResponse {
                    arithmetic_twap: "9.870000000000000000".to_string(),
                })?)
            }
            "/osmosis.twap.v1beta1.Query/GeometricTwapToNow" => {
                let req = GeometricTwapToNowRequest::try_from(data)?;
                anyhow::ensure!(req.pool_id == 1, "pool {} not found", req.pool_id);
                Ok(to_json_binary(&GeometricTwapToNowResponse {
                    geometric_twap: "9.860000000000000000".to_string(),
                })?)
            }
            _ => anyhow::bail!("unexpected stargate query {path}"),
        }
    }
}

type TestApp = App<
    BankKeeper,
    MockApi,
    MockStorage,
    FailingModule<Empty, Empty, Empty>,
    WasmKeeper<Empty, Empty>,
    StakeKeeper,
    DistributionKeeper,
    IbcFailingModule,
    GovFailingModule,
    TwapMock,
>;

// ---------------------------------------------------------------------------------------------
// Mock circuit breaker: records Trip calls; fails them when instantiated with `fail: true`.

#[cw_serde]
struct BreakerInit {
    fail: bool,
}

#[cw_serde]
enum BreakerQuery {
    Trips {},
}

fn breaker_execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: BreakerMsg,
) -> StdResult<Response> {
    if deps.storage.get(b"fail").is_some() {
        return Err(StdError::generic_err("breaker refuses"));
    }
    if let BreakerMsg::Trip {
        scope,
        level,
        reason,
    } = msg
    {
        let mut trips: Vec<(String, Scope, Level, String)> = deps
            .storage
            .get(b"trips")
            .map(cosmwasm_std::from_json)
            .transpose()?
            .unwrap_or_default();
        trips.push((info.sender.to_string(), scope, level, reason));
        deps.storage
            .set(b"trips", &cosmwasm_std::to_json_vec(&trips)?);
    }
    Ok(Response::new())
}

fn breaker_instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: BreakerInit,
) -> StdResult<Response> {
    if msg.fail {
        deps.storage.set(b"fail", b"1");
    }
    Ok(Response::new())
}

fn breaker_query(deps: Deps, _env: Env, _msg: BreakerQuery) -> StdResult<Binary> {
    let trips: Vec<(String, Scope, Level, String)> = deps
        .storage
        .get(b"trips")
        .map(cosmwasm_std::from_json)
        .transpose()?
        .unwrap_or_default();
    to_json_binary(&trips)
}

// ---------------------------------------------------------------------------------------------

const FEED_ID: &str = "b00b60f88b03a6a625a8d1c048c3f66653edf217439983d037e7222c4e612819";

struct Suite {
    app: TestApp,
    owner: Addr,
    guardian: Addr,
    feeders: Vec<Addr>,
    oracle: Addr,
    pyth: Addr,
    breaker: Addr,
    failing_breaker: Addr,
}

fn d(s: &str) -> Decimal256 {
    Decimal256::from_str(s).unwrap()
}

impl Suite {
    fn new() -> Self {
        let mut app: TestApp = AppBuilder::new()
            .with_stargate(TwapMock)
            .build(|_, _, _| {});
        let owner = app.api().addr_make("dao");
        let guardian = app.api().addr_make("guardian");
        let feeders: Vec<Addr> = (0..3)
            .map(|i| app.api().addr_make(&format!("feeder{i}")))
            .collect();
        let oracle_code = app.store_code(contract());
        let mut init = instantiate_msg(&owner);
        init.guardians = vec![guardian.to_string()];
        let oracle = app
            .instantiate_contract(oracle_code, owner.clone(), &init, &[], "oracle", None)
            .unwrap();
        let pyth_code = app.store_code(mock_pyth_contract());
        let pyth = app
            .instantiate_contract(
                pyth_code,
                owner.clone(),
                &bulwark_testing::oracle::MockPythInstantiateMsg {},
                &[],
                "pyth",
                None,
            )
            .unwrap();
        let breaker_code = app.store_code(Box::new(ContractWrapper::new(
            breaker_execute,
            breaker_instantiate,
            breaker_query,
        )));
        let breaker = app
            .instantiate_contract(
                breaker_code,
                owner.clone(),
                &BreakerInit { fail: false },
                &[],
                "breaker",
                None,
            )
            .unwrap();
        let failing_breaker = app
            .instantiate_contract(
                breaker_code,
                owner.clone(),
                &BreakerInit { fail: true },
                &[],
                "failing-breaker",
                None,
            )
            .unwrap();
        let mut s = Suite {
            app,
            owner,
            guardian,
            feeders,
            oracle,
            pyth,
            breaker,
            failing_breaker,
        };
        let add = s.feeders.iter().map(|f| f.to_string()).collect();
        s.owner_exec(&ExecuteMsg::UpdateFeeders {
            add,
            remove: vec![],
        })
        .unwrap();
        s
    }

    fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.oracle.clone(), msg, &[])
    }

    fn owner_exec(&mut self, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        let owner = self.owner.clone();
        self.exec(&owner, msg)
    }

    fn feed(
        &mut self,
        feeder: usize,
        asset: &str,
        price: &str,
        age: u64,
    ) -> AnyResult<AppResponse> {
        let now = self.app.block_info().time.seconds();
        let sender = self.feeders[feeder].clone();
        self.exec(
            &sender,
            &ExecuteMsg::Feed {
                prices: vec![FeedPrice {
                    asset_id: asset.to_string(),
                    price: SignedDecimal256::from_str(price).unwrap(),
                    publish_time: now - age,
                }],
            },
        )
    }

    fn feeder_asset(&self, asset: &str) -> AssetConfig {
        bulwark_testing::oracle::feeder_asset(asset, &self.feeders, 2, 60)
    }

    fn set_pyth(&mut self, price: i64, conf: u64, expo: i32, age: i64) {
        let now = self.app.block_info().time.seconds() as i64;
        let p = PythPrice {
            price: Int64::new(price),
            conf: Uint64::new(conf),
            expo,
            publish_time: now - age,
        };
        self.app
            .execute_contract(
                self.owner.clone(),
                self.pyth.clone(),
                &MockPythExecuteMsg::SetPriceFeed {
                    id: FEED_ID.to_string(),
                    price: p.clone(),
                    ema_price: p,
                },
                &[],
            )
            .unwrap();
    }

    fn record(&self, asset: &str) -> Option<PriceRecord> {
        query_price_raw(&self.app.wrap(), &self.oracle, asset).unwrap()
    }

    fn detail(&self, asset: &str) -> PriceDetailResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.oracle,
                &QueryMsg::PriceDetail {
                    asset_id: asset.to_string(),
                },
            )
            .unwrap()
    }

    fn env(&self) -> Env {
        Env {
            block: self.app.block_info(),
            transaction: None,
            contract: ContractInfo {
                address: self.app.api().addr_make("consumer"),
            },
        }
    }

    fn advance(&mut self, secs: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(secs);
        });
    }
}

fn err(res: AnyResult<AppResponse>) -> ContractError {
    res.unwrap_err().downcast().unwrap()
}

fn event_attr(res: &AppResponse, ty: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == format!("wasm-{ty}"))
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

#[test]
fn feeders_reach_quorum_and_consumers_read_raw() {
    let mut s = Suite::new();
    let asset = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();

    // One feeder of a quorum of two: stored, not published.
    let res = s.feed(0, "ATOM", "9.80", 5).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("quorum_not_met")
    );
    assert_eq!(s.record("ATOM"), None);

    let res = s.feed(1, "ATOM", "9.90", 2).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("published")
    );
    let now = s.app.block_info().time.seconds();
    let record = s.record("ATOM").unwrap();
    assert_eq!(
        record,
        PriceRecord {
            price: d("9.85"),
            publish_time: now - 5,
            block_height: s.app.block_info().height,
            sources_used: 2,
            flags: 0,
            prev_price: None,
            prev_publish_time: None,
            prev_block_height: None,
        }
    );
    // The smart query agrees with the raw read.
    let smart: PriceResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.oracle,
            &QueryMsg::Price {
                asset_id: "ATOM".to_string(),
            },
        )
        .unwrap();
    assert_eq!(smart.record, record);

    // Same block, first price: refused for every purpose.
    let env = s.env();
    for purpose in [
        PricePurpose::Open,
        PricePurpose::ReduceOrLiquidate,
        PricePurpose::Settlement,
    ] {
        assert_eq!(
            usable_price(&record, &env, 60, purpose),
            Err(PriceError::SameBlock {
                block_height: env.block.height
            })
        );
    }
    s.advance(5);
    assert_eq!(
        usable_price(&record, &s.env(), 60, PricePurpose::Open),
        Ok(d("9.85"))
    );
    s.advance(60);
    assert!(matches!(
        usable_price(&record, &s.env(), 60, PricePurpose::Open),
        Err(PriceError::Stale { .. })
    ));
    assert_eq!(s.record("BTC"), None);

    // The third feeder is an outlier: rejected, reported, the price stays the median.
    s.feed(0, "ATOM", "10.00", 0).unwrap();
    s.feed(1, "ATOM", "10.02", 0).unwrap();
    s.feed(2, "ATOM", "20", 0).unwrap();
    assert_eq!(s.record("ATOM").unwrap().price, d("10.02"));
    let detail = s.detail("ATOM");
    assert_eq!(detail.accepted, 2);
    assert!(matches!(
        detail.sources[2].status,
        SourceStatus::Rejected(Rejection::Outlier { .. })
    ));
    assert_eq!(detail.sources[2].price, Some(d("20")));
}

#[test]
fn bad_feeds_each_get_their_own_error_and_store_nothing() {
    let mut s = Suite::new();
    let asset = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let other = s.app.api().addr_make("stranger");
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    let before = s.record("ATOM").unwrap();
    let detail_before = s.detail("ATOM");
    s.advance(5);
    let now = s.app.block_info().time.seconds();

    assert_eq!(
        err(s.feed(0, "BTC", "10", 0)),
        ContractError::UnknownAsset {
            asset_id: "BTC".to_string()
        }
    );
    assert_eq!(
        err(s.feed(0, "ATOM", "0", 0)),
        ContractError::NonPositivePrice {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(s.feed(0, "ATOM", "-1", 0)),
        ContractError::NonPositivePrice {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(s.feed(0, "ATOM", "10", 61)),
        ContractError::Stale {
            asset_id: "ATOM".to_string(),
            publish_time: now - 61,
            age_secs: 61,
            max_age_secs: 60
        }
    );
    let future = FeedPrice {
        asset_id: "ATOM".to_string(),
        price: SignedDecimal256::from_str("10").unwrap(),
        publish_time: now + 1,
    };
    let f0 = s.feeders[0].clone();
    assert_eq!(
        err(s.exec(
            &f0,
            &ExecuteMsg::Feed {
                prices: vec![future.clone()]
            }
        )),
        ContractError::FromFuture {
            asset_id: "ATOM".to_string(),
            publish_time: now + 1,
            now
        }
    );
    assert_eq!(
        err(s.exec(
            &other,
            &ExecuteMsg::Feed {
                prices: vec![future.clone()]
            }
        )),
        ContractError::UnauthorizedFeeder {
            sender: other.to_string()
        }
    );
    // A whitelisted feeder that is not a source of the asset.
    let mut btc = s.feeder_asset("BTC");
    btc.sources.truncate(2);
    s.owner_exec(&ExecuteMsg::SetAsset { asset: btc }).unwrap();
    assert_eq!(
        err(s.feed(2, "BTC", "10", 0)),
        ContractError::FeederNotSource {
            asset_id: "BTC".to_string()
        }
    );
    // Older than this feeder's last observation.
    assert_eq!(
        err(s.feed(0, "ATOM", "10", 10)),
        ContractError::OutOfOrder {
            asset_id: "ATOM".to_string(),
            publish_time: now - 10,
            last: now - 5
        }
    );
    // A batch with one bad entry stores nothing, not even the good entry.
    let good = FeedPrice {
        asset_id: "ATOM".to_string(),
        price: SignedDecimal256::from_str("11").unwrap(),
        publish_time: now,
    };
    let future_btc = FeedPrice {
        asset_id: "BTC".to_string(),
        ..future
    };
    assert_eq!(
        err(s.exec(
            &f0,
            &ExecuteMsg::Feed {
                prices: vec![good.clone(), future_btc]
            }
        )),
        ContractError::FromFuture {
            asset_id: "BTC".to_string(),
            publish_time: now + 1,
            now
        }
    );
    assert_eq!(
        err(s.exec(
            &f0,
            &ExecuteMsg::Feed {
                prices: vec![good.clone(), good.clone()]
            }
        )),
        ContractError::DuplicateAsset {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(s.exec(&f0, &ExecuteMsg::Feed { prices: vec![] })),
        ContractError::EmptyBatch
    );
    assert_eq!(
        err(s.exec(
            &f0,
            &ExecuteMsg::Feed {
                prices: vec![good; 17]
            }
        )),
        ContractError::BatchTooLarge { len: 17, max: 16 }
    );
    assert_eq!(s.record("ATOM").unwrap(), before);
    let detail_after = s.detail("ATOM");
    assert_eq!(
        detail_after.sources[0].price,
        detail_before.sources[0].price
    );
    assert_eq!(
        detail_after.sources[0].publish_time,
        detail_before.sources[0].publish_time
    );
}

#[test]
fn pyth_fixed_and_refresh() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("ATOM");
    asset.sources = vec![
        Source::Pyth {
            contract_addr: s.pyth.clone(),
            feed_id: FEED_ID.to_string(),
            max_age_secs: 30,
            max_conf_bps: 100,
            max_ema_deviation_bps: Some(500),
        },
        Source::Fixed { price: d("9.9") },
        Source::Feeder {
            feeder_addr: s.feeders[0].clone(),
            max_age_secs: 60,
        },
    ];
    asset.quorum = 2;
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let anyone = s.app.api().addr_make("keeper");

    // Pyth not set yet, feeder silent: only the fixed source → quorum lost, nothing stored.
    let e = err(s.exec(
        &anyone,
        &ExecuteMsg::Refresh {
            assets: vec!["ATOM".to_string()],
        },
    ));
    assert!(matches!(
        e,
        ContractError::QuorumLost {
            accepted: 1,
            quorum: 2,
            ..
        }
    ));
    assert_eq!(s.record("ATOM"), None);
    let detail = s.detail("ATOM");
    assert!(matches!(
        detail.sources[0].status,
        SourceStatus::Rejected(Rejection::Unavailable { .. })
    ));
    assert_eq!(
        detail.sources[2].status,
        SourceStatus::Rejected(Rejection::NoValue)
    );

    // Pyth at 9.87 (expo -8), conf 0.05%: accepted. median of {9.87, 9.9} = 9.885
    s.set_pyth(987_000_000, 500_000, -8, 3);
    s.exec(
        &anyone,
        &ExecuteMsg::Refresh {
            assets: vec!["ATOM".to_string()],
        },
    )
    .unwrap();
    let now = s.app.block_info().time.seconds();
    let record = s.record("ATOM").unwrap();
    assert_eq!(record.price, d("9.885"));
    assert_eq!(record.publish_time, now - 3);
    assert_eq!(record.sources_used, 2);

    // Each Pyth problem is reported by the dry run.
    let cases: Vec<(i64, u64, i32, i64, Rejection)> = vec![
        (
            987_000_000,
            50_000_000,
            -8,
            0,
            Rejection::ConfidenceTooWide {
                conf_bps: 506,
                max_bps: 100,
            },
        ),
        (987, 0, -19, 0, Rejection::BadExponent { expo: -19 }),
        (-5, 0, -8, 0, Rejection::NonPositivePrice),
        (
            987_000_000,
            0,
            -8,
            31,
            Rejection::Stale {
                age_secs: 31,
                max_age_secs: 30,
            },
        ),
        (
            987_000_000,
            0,
            -8,
            -1,
            Rejection::FromFuture {
                publish_time: now + 1,
                now,
            },
        ),
    ];
    for (price, conf, expo, age, rejection) in cases {
        s.set_pyth(price, conf, expo, age);
        assert_eq!(
            s.detail("ATOM").sources[0].status,
            SourceStatus::Rejected(rejection)
        );
        assert!(matches!(
            err(s.exec(
                &anyone,
                &ExecuteMsg::Refresh {
                    assets: vec!["ATOM".to_string()]
                }
            )),
            ContractError::QuorumLost { .. }
        ));
        assert_eq!(s.record("ATOM").unwrap(), record, "nothing stored");
    }
    assert_eq!(
        err(s.exec(
            &anyone,
            &ExecuteMsg::Refresh {
                assets: vec!["NOPE".to_string()]
            }
        )),
        ContractError::UnknownAsset {
            asset_id: "NOPE".to_string()
        }
    );
}

#[test]
fn osmosis_twap_source_through_stargate() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("OSMO");
    asset.sources = vec![
        Source::OsmosisTwap {
            pool_id: 1,
            base_denom: "uosmo".to_string(),
            quote_denom: "uusdc".to_string(),
            window_secs: 600,
            kind: TwapKind::Arithmetic,
        },
        Source::OsmosisTwap {
            pool_id: 2,
            base_denom: "uosmo".to_string(),
            quote_denom: "uusdc".to_string(),
            window_secs: 600,
            kind: TwapKind::Geometric,
        },
    ];
    asset.quorum = 1;
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let anyone = s.app.api().addr_make("keeper");
    s.exec(
        &anyone,
        &ExecuteMsg::Refresh {
            assets: vec!["OSMO".to_string()],
        },
    )
    .unwrap();
    let record = s.record("OSMO").unwrap();
    assert_eq!(record.price, d("9.87"));
    assert_eq!(record.publish_time, s.app.block_info().time.seconds());
    let detail = s.detail("OSMO");
    assert!(matches!(
        &detail.sources[1].status,
        SourceStatus::Rejected(Rejection::Unavailable { error }) if error.contains("pool 2")
    ));
}

fn max_move_asset(s: &Suite, breaker_scope_addr: &Addr) -> AssetConfig {
    let mut asset = s.feeder_asset("ATOM");
    asset.max_move = Some(MaxMove {
        bps_per_minute: 100,
        min_bps: 50,
        max_bps: 1_000,
    });
    asset.trip_targets = vec![
        TripTarget {
            scope: Scope::Market {
                contract_addr: breaker_scope_addr.clone(),
                market_id: "ATOM-PERP".to_string(),
            },
            level: Level::ReduceOnly,
        },
        TripTarget {
            scope: Scope::Market {
                contract_addr: breaker_scope_addr.clone(),
                market_id: "ATOM-OPT".to_string(),
            },
            level: Level::ReduceOnly,
        },
    ];
    asset
}

#[test]
fn max_move_blocks_flags_and_trips_the_breaker() {
    let mut s = Suite::new();
    let perps = s.app.api().addr_make("perps");
    let asset = max_move_asset(&s, &perps);
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let breaker = s.breaker.to_string();
    s.owner_exec(&ExecuteMsg::SetCircuitBreaker {
        circuit_breaker: Some(breaker),
    })
    .unwrap();
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    let accepted = s.record("ATOM").unwrap();

    // One minute later 100 bps are allowed; a 30% jump is refused.
    s.advance(60);
    s.feed(0, "ATOM", "13", 0).unwrap();
    let res = s.feed(1, "ATOM", "13", 0).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_move_blocked", "move_bps").as_deref(),
        Some("3000")
    );
    assert_eq!(
        event_attr(&res, "bulwark_oracle_move_blocked", "allowed_bps").as_deref(),
        Some("150")
    );
    let record = s.record("ATOM").unwrap();
    assert_eq!(record.price, accepted.price);
    assert_eq!(record.block_height, accepted.block_height);
    assert_eq!(record.flags, FLAG_MOVE_BLOCKED);
    let env = s.env();
    assert_eq!(
        usable_price(&record, &env, 120, PricePurpose::Open),
        Err(PriceError::MoveBlocked)
    );
    assert_eq!(
        usable_price(&record, &env, 120, PricePurpose::ReduceOrLiquidate),
        Ok(d("10"))
    );
    let trips: Vec<(String, Scope, Level, String)> = s
        .app
        .wrap()
        .query_wasm_smart(&s.breaker, &BreakerQuery::Trips {})
        .unwrap();
    assert_eq!(trips.len(), 2);
    assert_eq!(trips[0].0, s.oracle.to_string());
    assert_eq!(trips[0].2, Level::ReduceOnly);
    assert!(trips[0].3.contains("ATOM moved 3000 bps"));
    let detail = s.detail("ATOM");
    let block = detail.move_block.unwrap();
    assert_eq!(block.attempted_price, d("13"));
    assert_eq!(block.trip_error, None);

    // A further blocked attempt does not trip again (the first trip succeeded).
    s.advance(1);
    s.feed(0, "ATOM", "13.1", 0).unwrap();
    let trips: Vec<(String, Scope, Level, String)> = s
        .app
        .wrap()
        .query_wasm_smart(&s.breaker, &BreakerQuery::Trips {})
        .unwrap();
    assert_eq!(trips.len(), 2);

    // A price within the allowance publishes and clears the flag.
    s.advance(60);
    s.feed(0, "ATOM", "10.1", 0).unwrap();
    s.feed(1, "ATOM", "10.1", 0).unwrap();
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("10.1"), 0));
    assert_eq!(s.detail("ATOM").move_block, None);

    // After a genuine jump beyond the cap the owner re-anchors.
    s.advance(600);
    s.feed(0, "ATOM", "15", 0).unwrap();
    s.feed(1, "ATOM", "15", 0).unwrap();
    assert_eq!(s.record("ATOM").unwrap().flags, FLAG_MOVE_BLOCKED);
    let stranger = s.app.api().addr_make("stranger");
    assert!(matches!(
        err(s.exec(
            &stranger,
            &ExecuteMsg::ResetMoveReference {
                asset_id: "ATOM".to_string()
            }
        )),
        ContractError::Ownership(_)
    ));
    s.owner_exec(&ExecuteMsg::ResetMoveReference {
        asset_id: "ATOM".to_string(),
    })
    .unwrap();
    s.feed(0, "ATOM", "15", 0).unwrap();
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("15"), 0));
}

#[test]
fn a_failing_breaker_cannot_revert_the_refusal() {
    let mut s = Suite::new();
    let perps = s.app.api().addr_make("perps");
    let asset = max_move_asset(&s, &perps);
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let breaker = s.failing_breaker.to_string();
    s.owner_exec(&ExecuteMsg::SetCircuitBreaker {
        circuit_breaker: Some(breaker),
    })
    .unwrap();
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    s.advance(6);
    s.feed(0, "ATOM", "8", 0).unwrap();
    let res = s.feed(1, "ATOM", "8", 0).unwrap();
    assert!(res
        .events
        .iter()
        .any(|e| e.attributes.iter().any(|a| a.value == "trip_failed")));
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("10"), FLAG_MOVE_BLOCKED));
    let block = s.detail("ATOM").move_block.unwrap();
    assert!(block.trip_error.unwrap().contains("breaker refuses"));
}

#[test]
fn guardians_pause_and_only_the_owner_unpauses() {
    let mut s = Suite::new();
    let asset = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    let stranger = s.app.api().addr_make("stranger");
    let guardian = s.guardian.clone();
    let pause = ExecuteMsg::PauseAsset {
        asset_id: "ATOM".to_string(),
    };
    assert_eq!(err(s.exec(&stranger, &pause)), ContractError::NotGuardian);
    s.exec(&guardian, &pause).unwrap();
    assert_eq!(
        err(s.exec(&guardian, &pause)),
        ContractError::AssetPaused {
            asset_id: "ATOM".to_string()
        }
    );
    let record = s.record("ATOM").unwrap();
    assert_eq!(record.flags, FLAG_PAUSED);
    s.advance(5);
    assert_eq!(
        usable_price(&record, &s.env(), 60, PricePurpose::ReduceOrLiquidate),
        Err(PriceError::Paused)
    );
    assert_eq!(
        err(s.exec(
            &stranger,
            &ExecuteMsg::Refresh {
                assets: vec!["ATOM".to_string()]
            }
        )),
        ContractError::AssetPaused {
            asset_id: "ATOM".to_string()
        }
    );
    // A feed is recorded but not published.
    let res = s.feed(0, "ATOM", "11", 0).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("paused")
    );
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    let unpause = ExecuteMsg::UnpauseAsset {
        asset_id: "ATOM".to_string(),
    };
    assert!(matches!(
        err(s.exec(&guardian, &unpause)),
        ContractError::Ownership(_)
    ));
    s.owner_exec(&unpause).unwrap();
    assert_eq!(s.record("ATOM").unwrap().flags, 0);
    s.feed(1, "ATOM", "11", 0).unwrap();
    assert_eq!(s.record("ATOM").unwrap().price, d("11"));
}

#[test]
fn history_twap() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("ATOM");
    asset.quorum = 1;
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let t0 = s.app.block_info().time.seconds();
    s.feed(0, "ATOM", "10", 0).unwrap(); // 10 from t0
    s.advance(100);
    s.feed(0, "ATOM", "10", 0).unwrap(); // unchanged: no entry
    s.advance(100);
    s.feed(0, "ATOM", "20", 0).unwrap(); // 20 from t0+200
    s.feed(0, "ATOM", "30", 0).unwrap(); // same block: replaces 20
    s.advance(100);
    let twap = |s: &Suite, window: u64, end: Option<u64>| -> Result<TwapResponse, StdError> {
        s.app.wrap().query_wasm_smart(
            &s.oracle,
            &QueryMsg::Twap {
                asset_id: "ATOM".to_string(),
                window_secs: window,
                end_time: end,
            },
        )
    };
    // [t0+100, t0+300]: 10 × 100 + 30 × 100 over 200 = 20
    let r = twap(&s, 200, None).unwrap();
    assert_eq!((r.price, r.start_time, r.samples), (d("20"), t0 + 100, 2));
    // [t0, t0+300]: (10 × 200 + 30 × 100) / 300 = 16.666…
    let r = twap(&s, 300, None).unwrap();
    assert_eq!(r.price, d("16.666666666666666666"));
    // ending in the past
    let r = twap(&s, 100, Some(t0 + 150)).unwrap();
    assert_eq!(r.price, d("10"));
    let e = twap(&s, 301, None).unwrap_err();
    assert!(e.to_string().contains("history starts at"), "{e}");
    assert!(twap(&s, 0, None).is_err());
    assert!(twap(&s, 10, Some(t0 + 1_000)).is_err());
}

#[test]
fn administration_and_paged_queries() {
    let mut s = Suite::new();
    let stranger = s.app.api().addr_make("stranger");
    let asset = s.feeder_asset("ATOM");
    assert!(matches!(
        err(s.exec(
            &stranger,
            &ExecuteMsg::SetAsset {
                asset: asset.clone()
            }
        )),
        ContractError::Ownership(_)
    ));
    let mut dup = asset.clone();
    dup.sources.push(dup.sources[0].clone());
    assert_eq!(
        err(s.owner_exec(&ExecuteMsg::SetAsset { asset: dup })),
        ContractError::DuplicateSource { index: 3 }
    );
    let mut bad_quorum = asset.clone();
    bad_quorum.quorum = 4;
    assert!(matches!(
        err(s.owner_exec(&ExecuteMsg::SetAsset { asset: bad_quorum })),
        ContractError::InvalidAssetConfig { .. }
    ));
    let mut bad_id = asset.clone();
    bad_id.asset_id = "AT OM".to_string();
    assert!(matches!(
        err(s.owner_exec(&ExecuteMsg::SetAsset { asset: bad_id })),
        ContractError::InvalidAssetId { .. }
    ));
    let mut bad_pyth = asset.clone();
    bad_pyth.sources[0] = Source::Pyth {
        contract_addr: s.pyth.clone(),
        feed_id: "0x12".to_string(),
        max_age_secs: 10,
        max_conf_bps: 10,
        max_ema_deviation_bps: None,
    };
    assert!(matches!(
        err(s.owner_exec(&ExecuteMsg::SetAsset { asset: bad_pyth })),
        ContractError::InvalidSource { index: 0, .. }
    ));
    for id in ["A", "B", "C"] {
        let mut a = asset.clone();
        a.asset_id = id.to_string();
        s.owner_exec(&ExecuteMsg::SetAsset { asset: a }).unwrap();
    }
    let mut changed = asset.clone();
    changed.asset_id = "A".to_string();
    changed.quote = "EUR".to_string();
    assert_eq!(
        err(s.owner_exec(&ExecuteMsg::SetAsset { asset: changed })),
        ContractError::AssetUnitChanged {
            asset_id: "A".to_string()
        }
    );
    let page: AssetsResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.oracle,
            &QueryMsg::Assets {
                start_after: Some("A".to_string()),
                limit: Some(1),
            },
        )
        .unwrap();
    assert_eq!(page.assets.len(), 1);
    assert_eq!(page.assets[0].asset_id, "B");
    for id in ["A", "B", "C"] {
        s.feed(0, id, "1", 0).unwrap();
        s.feed(1, id, "1", 0).unwrap();
    }
    let prices: PricesResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.oracle,
            &QueryMsg::Prices {
                start_after: None,
                limit: Some(2),
            },
        )
        .unwrap();
    assert_eq!(prices.prices.len(), 2);
    let feeders: FeedersResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.oracle,
            &QueryMsg::Feeders {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(feeders.feeders.len(), 3);
    // Delisting a feeder takes its source out of the aggregation.
    let f2 = s.feeders[2].to_string();
    s.owner_exec(&ExecuteMsg::UpdateFeeders {
        add: vec![],
        remove: vec![f2],
    })
    .unwrap();
    assert_eq!(
        s.detail("A").sources[2].status,
        SourceStatus::Rejected(Rejection::FeederNotWhitelisted)
    );
    // Removing an asset deletes its record.
    s.owner_exec(&ExecuteMsg::RemoveAsset {
        asset_id: "A".to_string(),
    })
    .unwrap();
    assert_eq!(s.record("A"), None);
    assert!(matches!(
        err(s.feed(0, "A", "1", 0)),
        ContractError::UnknownAsset { .. }
    ));
    let _ = (&s.owner, &s.guardian);
}

// ---------------------------------------------------------------------------------------------
// Security review regressions

fn trips(s: &Suite) -> usize {
    let trips: Vec<(String, Scope, Level, String)> = s
        .app
        .wrap()
        .query_wasm_smart(&s.breaker, &BreakerQuery::Trips {})
        .unwrap();
    trips.len()
}

fn with_breaker(s: &mut Suite) {
    let perps = s.app.api().addr_make("perps");
    let asset = max_move_asset(s, &perps);
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let breaker = s.breaker.to_string();
    s.owner_exec(&ExecuteMsg::SetCircuitBreaker {
        circuit_breaker: Some(breaker),
    })
    .unwrap();
}

/// PoC of finding 1: feeders 0 and 1 alternate 100 pushes of ×1.005 in one block. Each step is
/// within min_bps of the last published price; the anchor does not follow them.
#[test]
fn stacked_small_steps_in_one_block_cannot_bypass_the_max_move() {
    let mut s = Suite::new();
    with_breaker(&mut s);
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    s.advance(6);
    let step = d("1.005");
    let mut p = d("10");
    for i in 0..100 {
        p = p.checked_mul(step).unwrap();
        s.feed(i % 2, "ATOM", &p.to_string(), 0).unwrap();
    }
    // allowed after 6 s: 50 + 100 × 6 / 60 = 60 bps of the anchor 10
    let record = s.record("ATOM").unwrap();
    assert!(record.price <= d("10.06"), "{}", record.price);
    assert!(record.is_move_blocked());
    assert!(trips(&s) > 0);
    let block = s.detail("ATOM").move_block.unwrap();
    assert_eq!((block.reference_price, block.allowed_bps), (d("10"), 60));

    // The next blocks of the same minute gain only the time allowance.
    s.advance(6);
    for i in 0..20 {
        p = p.checked_mul(step).unwrap();
        s.feed(i % 2, "ATOM", &p.to_string(), 0).unwrap();
    }
    assert!(s.record("ATOM").unwrap().price <= d("10.07"));
}

#[test]
fn a_gradual_move_at_the_configured_rate_is_accepted() {
    let mut s = Suite::new();
    with_breaker(&mut s);
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    // +10 bps of the start every 6 s (100 bps/min) for 10 minutes, both feeders each block
    for k in 1..=100u64 {
        s.advance(6);
        let p = d("10")
            .checked_mul(Decimal256::permille(1_000 + k))
            .unwrap()
            .to_string();
        for f in 0..2 {
            let res = s.feed(f, "ATOM", &p, 0).unwrap();
            assert_eq!(
                event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
                Some("published"),
                "step {k}"
            );
        }
    }
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("11"), 0));
    assert_eq!(trips(&s), 0);
}

/// Finding 2: Refresh by anyone every 6 s no longer resets the max-move clock.
#[test]
fn stranger_refreshes_do_not_reset_the_max_move_clock() {
    let mut s = Suite::new();
    let perps = s.app.api().addr_make("perps");
    let mut asset = max_move_asset(&s, &perps);
    for source in &mut asset.sources {
        if let Source::Feeder { max_age_secs, .. } = source {
            *max_age_secs = 600;
        }
    }
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    s.feed(0, "ATOM", "10", 0).unwrap();
    s.feed(1, "ATOM", "10", 0).unwrap();
    let stored_at = s.record("ATOM").unwrap().block_height;
    let stranger = s.app.api().addr_make("stranger");
    let refresh = ExecuteMsg::Refresh {
        assets: vec!["ATOM".to_string()],
    };
    for _ in 0..10 {
        s.advance(6);
        let res = s.exec(&stranger, &refresh).unwrap();
        assert_eq!(
            event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
            Some("unchanged")
        );
    }
    // Nothing changed: the record was not rewritten (finding 3a).
    assert_eq!(s.record("ATOM").unwrap().block_height, stored_at);
    // 60 s after the anchor: 100 bps is within 50 + 100.
    s.feed(0, "ATOM", "10.1", 0).unwrap();
    let res = s.feed(1, "ATOM", "10.1", 0).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_move_blocked", "move_bps"),
        None
    );
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("10.1"), 0));
}

/// Finding 3: a value stored in the current block never prices anything in that block, for
/// any purpose; the previous block's value is used instead, and re-publishing the same value
/// does not make the record "current block".
#[test]
fn a_same_block_update_serves_the_previous_block_value() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("ATOM");
    asset.quorum = 1;
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    s.feed(0, "ATOM", "10", 0).unwrap();
    let (h1, t1) = (s.app.block_info().height, s.app.block_info().time.seconds());
    s.advance(6);
    s.feed(0, "ATOM", "10.04", 0).unwrap();
    s.feed(0, "ATOM", "10.05", 0).unwrap(); // same block: the previous value stays 10
    let record = s.record("ATOM").unwrap();
    assert_eq!(
        (
            record.price,
            record.prev_price,
            record.prev_publish_time,
            record.prev_block_height
        ),
        (d("10.05"), Some(d("10")), Some(t1), Some(h1))
    );
    let env = s.env();
    for purpose in [
        PricePurpose::Open,
        PricePurpose::ReduceOrLiquidate,
        PricePurpose::Settlement,
    ] {
        assert_eq!(usable_price(&record, &env, 60, purpose), Ok(d("10")));
    }
    let raw = s
        .app
        .wrap()
        .query_wasm_raw(&s.oracle, bulwark_types::oracle::price_record_key("ATOM"))
        .unwrap()
        .unwrap();
    assert!(raw.len() <= 120, "{}", raw.len());

    // Next block: the update is used; a stranger's Refresh of an unchanged value does not
    // rewrite the record, so it cannot block opening for the block.
    s.advance(6);
    let stranger = s.app.api().addr_make("stranger");
    s.exec(
        &stranger,
        &ExecuteMsg::Refresh {
            assets: vec!["ATOM".to_string()],
        },
    )
    .unwrap();
    let record = s.record("ATOM").unwrap();
    assert_eq!(
        usable_price(&record, &s.env(), 60, PricePurpose::Open),
        Ok(d("10.05"))
    );

    // Freshness is checked on the value used: an old previous value is stale.
    s.advance(50);
    s.feed(0, "ATOM", "10.06", 0).unwrap();
    let record = s.record("ATOM").unwrap();
    assert!(matches!(
        usable_price(&record, &s.env(), 30, PricePurpose::ReduceOrLiquidate),
        Err(PriceError::Stale { age_secs: 56, .. })
    ));
}

fn twap_of(s: &Suite, window: u64, end: Option<u64>) -> Result<TwapResponse, StdError> {
    s.app.wrap().query_wasm_smart(
        &s.oracle,
        &QueryMsg::Twap {
            asset_id: "ATOM".to_string(),
            window_secs: window,
            end_time: end,
        },
    )
}

/// Finding 4: a price change every block (6 s) for 4.5 h still leaves a 4 h settlement TWAP,
/// within the documented bound (one checkpoint interval's price variation at each end).
#[test]
fn twap_covers_four_hours_of_per_block_updates() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("ATOM");
    asset.quorum = 1;
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let price_at = |k: u64| d("10") + Decimal256::percent(k % 7);
    // (time, price) of each publication, for the exact integral
    let mut steps: Vec<(u64, Decimal256)> = vec![];
    for k in 0..2_700u64 {
        let p = price_at(k);
        s.feed(0, "ATOM", &p.to_string(), 0).unwrap();
        steps.push((s.app.block_info().time.seconds(), p));
        s.advance(6);
    }
    let now = s.app.block_info().time.seconds();
    let window = 4 * 3600;
    let start = now - window;
    let mut exact = Decimal256::zero();
    for (i, (t, p)) in steps.iter().enumerate() {
        let next = steps.get(i + 1).map_or(now, |(t, _)| *t);
        let (from, to) = ((*t).max(start), next.min(now));
        if to > from {
            exact += *p * Decimal256::from_ratio(to - from, 1u64);
        }
    }
    let exact = exact / Decimal256::from_ratio(window, 1u64);
    let r = twap_of(&s, window, None).unwrap();
    assert_eq!((r.start_time, r.end_time), (start, now));
    assert!(r.samples >= 240, "{}", r.samples);
    // bound: 2 × 60 s × 0.06 / 14400 s = 0.0005
    let diff = if r.price > exact {
        r.price - exact
    } else {
        exact - r.price
    };
    assert!(diff <= d("0.0005"), "twap {} exact {}", r.price, exact);
    // Older than the ring: refused, typed.
    let e = twap_of(&s, 4 * 3600 + 1_000, None).unwrap_err();
    assert!(e.to_string().contains("history starts at"), "{e}");
}

/// Finding O7: a TWAP window that may overlap a pause or a move block is refused.
#[test]
fn twap_refuses_windows_overlapping_a_pause_or_a_move_block() {
    let mut s = Suite::new();
    let mut asset = s.feeder_asset("ATOM");
    asset.quorum = 1;
    asset.max_move = Some(MaxMove {
        bps_per_minute: 100,
        min_bps: 50,
        max_bps: 1_000,
    });
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let t0 = s.app.block_info().time.seconds();
    let run = |s: &mut Suite, blocks: u64| {
        for k in 0..blocks {
            let p = d("10") + Decimal256::permille(k % 3);
            s.feed(0, "ATOM", &p.to_string(), 0).unwrap();
            s.advance(6);
        }
    };
    run(&mut s, 100); // to t0 + 600
    let guardian = s.guardian.clone();
    let pause = ExecuteMsg::PauseAsset {
        asset_id: "ATOM".to_string(),
    };
    s.exec(&guardian, &pause).unwrap();
    // while paused, even a window ending now is refused
    s.advance(120);
    assert!(twap_of(&s, 60, None)
        .unwrap_err()
        .to_string()
        .contains("may overlap a pause or a move block"));
    s.owner_exec(&ExecuteMsg::UnpauseAsset {
        asset_id: "ATOM".to_string(),
    })
    .unwrap();
    run(&mut s, 100);
    assert!(twap_of(&s, 300, Some(t0 + 500)).is_ok());
    let e = twap_of(&s, 300, Some(t0 + 700)).unwrap_err();
    assert!(e.to_string().contains("may overlap"), "{e}");
    assert!(twap_of(&s, 300, None).is_ok());

    // A move block: a 20% jump is refused.
    s.feed(0, "ATOM", "12", 0).unwrap();
    assert!(s.record("ATOM").unwrap().is_move_blocked());
    s.advance(6);
    assert!(twap_of(&s, 300, None)
        .unwrap_err()
        .to_string()
        .contains("may overlap"));
}

/// Finding 6: a feeder dropped from an asset loses its observation.
#[test]
fn set_asset_deletes_observations_of_dropped_feeders() {
    let mut s = Suite::new();
    let asset = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset {
        asset: asset.clone(),
    })
    .unwrap();
    s.feed(2, "ATOM", "10", 0).unwrap();
    assert_eq!(s.detail("ATOM").sources[2].price, Some(d("10")));
    let mut fewer = asset.clone();
    fewer.sources.truncate(2);
    s.owner_exec(&ExecuteMsg::SetAsset { asset: fewer })
        .unwrap();
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    let detail = s.detail("ATOM");
    assert_eq!(detail.sources[2].price, None);
    assert_eq!(
        detail.sources[2].status,
        SourceStatus::Rejected(Rejection::NoValue)
    );
}

// ---------------------------------------------------------------------------------------------
// OSM-style delayed price

const DELAY: u64 = 600;

fn set_delay(s: &mut Suite, asset: &str, delay_secs: Option<u64>) -> AnyResult<AppResponse> {
    s.owner_exec(&ExecuteMsg::SetAssetDelay {
        asset_id: asset.to_string(),
        delay: delay_secs.map(|delay_secs| DelayConfig { delay_secs }),
    })
}

fn poke(s: &mut Suite, assets: &[&str]) -> AnyResult<AppResponse> {
    let stranger = s.app.api().addr_make("keeper");
    s.exec(
        &stranger,
        &ExecuteMsg::Poke {
            asset_ids: assets.iter().map(|a| a.to_string()).collect(),
        },
    )
}

/// Feeders 0 and 1 push `price` now (quorum 2).
fn feed_both(s: &mut Suite, asset: &str, price: &str) -> AppResponse {
    s.feed(0, asset, price, 0).unwrap();
    s.feed(1, asset, price, 0).unwrap()
}

fn wasm_action(res: &AppResponse) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "action")
        .map(|a| a.value.clone())
}

fn delayed(s: &Suite, asset: &str) -> DelayedState {
    s.detail(asset).delayed.unwrap()
}

/// A delayed asset with `current = 10` published and `next = 10` queued at the returned time.
fn delayed_asset_with_current(s: &mut Suite, asset: &str) -> u64 {
    let config = s.feeder_asset(asset);
    s.owner_exec(&ExecuteMsg::SetAsset { asset: config })
        .unwrap();
    set_delay(s, asset, Some(DELAY)).unwrap();
    feed_both(s, asset, "10");
    s.advance(DELAY);
    let res = poke(s, &[asset]).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_poke", "result").as_deref(),
        Some("promoted")
    );
    assert_eq!(s.record(asset).unwrap().price, d("10"));
    s.app.block_info().time.seconds()
}

#[test]
fn a_fed_price_is_published_only_after_the_delay_and_a_hop() {
    let mut s = Suite::new();
    let config = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset: config })
        .unwrap();
    let res = set_delay(&mut s, "ATOM", Some(DELAY)).unwrap();
    assert_eq!(wasm_action(&res).as_deref(), Some("set_asset_delay"));
    // An asset without a delay in the same oracle publishes at once, as before.
    let plain = s.feeder_asset("OSMO");
    s.owner_exec(&ExecuteMsg::SetAsset { asset: plain })
        .unwrap();
    let res = feed_both(&mut s, "OSMO", "1.5");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("published")
    );
    assert_eq!(s.record("OSMO").unwrap().price, d("1.5"));
    assert_eq!(s.detail("OSMO").delayed, None);

    // Fed now: queued as next, nothing published.
    let t0 = s.app.block_info().time.seconds();
    let res = feed_both(&mut s, "ATOM", "10");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("delayed")
    );
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "hop").as_deref(),
        Some("queued")
    );
    assert_eq!(s.record("ATOM"), None);
    let state = delayed(&s, "ATOM");
    assert_eq!(state.current, None);
    assert_eq!(
        state.next.as_ref().map(|n| (n.price, n.since)),
        Some((d("10"), t0))
    );
    assert_eq!(state.next_current_at, Some(t0 + DELAY));
    assert_eq!(state.latest.map(|l| l.price), Some(d("10")));

    // A poke before the delay changes nothing.
    s.advance(DELAY - 1);
    let before = s.detail("ATOM").delayed;
    let res = poke(&mut s, &["ATOM"]).unwrap();
    assert_eq!(wasm_action(&res).as_deref(), Some("poke"));
    assert_eq!(
        event_attr(&res, "bulwark_oracle_poke", "result").as_deref(),
        Some("not_due")
    );
    assert_eq!(s.detail("ATOM").delayed, before);
    assert_eq!(s.record("ATOM"), None);

    // At next.since + delay a poke promotes it.
    s.advance(1);
    let res = poke(&mut s, &["ATOM"]).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_poke", "result").as_deref(),
        Some("promoted")
    );
    let t1 = s.app.block_info().time.seconds();
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.publish_time), (d("10"), t0));

    // A new aggregate is visible undelayed in PriceDetail, the record keeps the old current.
    s.advance(10);
    let res = feed_both(&mut s, "ATOM", "11");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "hop").as_deref(),
        Some("not_due")
    );
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    let detail = s.detail("ATOM");
    assert_eq!(detail.aggregate, Some(d("11")));
    let state = detail.delayed.unwrap();
    assert_eq!(state.latest.map(|l| l.price), Some(d("11")));
    assert_eq!(state.next.map(|n| n.price), Some(d("10")));
    assert_eq!(state.next_current_at, Some(t1 + DELAY));

    // The next hop (here a publication) promotes the queued 10 and queues 11 for a full delay.
    s.advance(DELAY - 10);
    let res = feed_both(&mut s, "ATOM", "11");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "hop").as_deref(),
        Some("promoted")
    );
    let t2 = s.app.block_info().time.seconds();
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    let state = delayed(&s, "ATOM");
    assert_eq!(state.next.map(|n| (n.price, n.since)), Some((d("11"), t2)));

    s.advance(DELAY - 1);
    feed_both(&mut s, "ATOM", "11");
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    s.advance(1);
    poke(&mut s, &["ATOM"]).unwrap();
    let record = s.record("ATOM").unwrap();
    assert_eq!(record.price, d("11"));
    // Consumers read the delayed record unchanged (previous block's value in this block).
    assert_eq!(
        usable_price(&record, &s.env(), 4 * DELAY, PricePurpose::Open),
        Ok(d("10"))
    );
    s.advance(1);
    assert_eq!(
        usable_price(&record, &s.env(), 4 * DELAY, PricePurpose::Open),
        Ok(d("11"))
    );
}

#[test]
fn void_next_stops_a_bad_price_from_ever_becoming_current() {
    let mut s = Suite::new();
    let t = delayed_asset_with_current(&mut s, "ATOM");
    // A compromised feed pushes 20; it becomes next at the following hop.
    s.advance(10);
    feed_both(&mut s, "ATOM", "20");
    s.advance(DELAY - 10);
    poke(&mut s, &["ATOM"]).unwrap();
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    let state = delayed(&s, "ATOM");
    assert_eq!(state.next.as_ref().map(|n| n.price), Some(d("20")));
    assert_eq!(state.next_current_at, Some(t + 2 * DELAY));

    // Strangers cannot void; nothing changes.
    let stranger = s.app.api().addr_make("stranger");
    let void = ExecuteMsg::VoidNext {
        asset_id: "ATOM".to_string(),
    };
    assert_eq!(err(s.exec(&stranger, &void)), ContractError::NotGuardian);
    let feeder = s.feeders[0].clone();
    assert_eq!(err(s.exec(&feeder, &void)), ContractError::NotGuardian);
    assert_eq!(delayed(&s, "ATOM"), state);

    // A guardian voids it.
    let guardian = s.guardian.clone();
    let res = s.exec(&guardian, &void).unwrap();
    assert_eq!(wasm_action(&res).as_deref(), Some("void_next"));
    assert_eq!(
        event_attr(&res, "bulwark_oracle_next_voided", "voided_price").as_deref(),
        Some("20")
    );
    let voided = delayed(&s, "ATOM");
    assert_eq!((voided.next, voided.latest), (None, None));
    assert_eq!(
        err(s.exec(&guardian, &void)),
        ContractError::NothingToVoid {
            asset_id: "ATOM".to_string()
        }
    );

    // The bad price never becomes current, however long and often anyone pokes.
    for _ in 0..3 {
        s.advance(DELAY);
        let res = poke(&mut s, &["ATOM"]).unwrap();
        assert_eq!(
            event_attr(&res, "bulwark_oracle_poke", "result").as_deref(),
            Some("idle")
        );
        assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    }

    // The next honest publication starts a new, full delay; the owner may void too.
    let res = feed_both(&mut s, "ATOM", "10.5");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "hop").as_deref(),
        Some("queued")
    );
    let now = s.app.block_info().time.seconds();
    assert_eq!(delayed(&s, "ATOM").next_current_at, Some(now + DELAY));
    s.owner_exec(&void).unwrap();
    assert_eq!(delayed(&s, "ATOM").next, None);
}

#[test]
fn enabling_a_delay_keeps_the_published_price_and_removing_it_publishes_directly() {
    let mut s = Suite::new();
    let config = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset: config })
        .unwrap();
    feed_both(&mut s, "ATOM", "10");
    s.advance(5);
    set_delay(&mut s, "ATOM", Some(DELAY)).unwrap();
    let state = delayed(&s, "ATOM");
    assert_eq!(state.current.map(|c| c.price), Some(d("10")));
    // (Feeder 0's 12 beside feeder 1's 10 is outside the 5% band: only feeder 1's push
    // publishes.)
    feed_both(&mut s, "ATOM", "12");
    assert_eq!(s.record("ATOM").unwrap().price, d("10"));
    // Changing the delay keeps the queue.
    set_delay(&mut s, "ATOM", Some(2 * DELAY)).unwrap();
    let state = delayed(&s, "ATOM");
    assert_eq!(state.next.as_ref().map(|n| n.price), Some(d("12")));
    assert_eq!(state.latest.as_ref().map(|n| n.price), Some(d("12")));
    assert_eq!(
        state.next_current_at,
        state.next.map(|n| n.since + 2 * DELAY)
    );
    // Removing the delay: the next publication publishes the aggregate directly.
    set_delay(&mut s, "ATOM", None).unwrap();
    assert_eq!(s.detail("ATOM").delayed, None);
    s.advance(5);
    let res = s.feed(0, "ATOM", "12", 0).unwrap();
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("published")
    );
    assert_eq!(s.record("ATOM").unwrap().price, d("12"));
    // RemoveAsset deletes the queue with the asset.
    set_delay(&mut s, "ATOM", Some(DELAY)).unwrap();
    s.owner_exec(&ExecuteMsg::RemoveAsset {
        asset_id: "ATOM".to_string(),
    })
    .unwrap();
    let config = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset: config })
        .unwrap();
    assert_eq!(s.detail("ATOM").delayed, None);
}

#[test]
fn delay_config_and_poke_errors() {
    let mut s = Suite::new();
    let config = s.feeder_asset("ATOM");
    s.owner_exec(&ExecuteMsg::SetAsset { asset: config })
        .unwrap();
    for bad in [0, 59, 86_401, u64::MAX] {
        assert_eq!(
            err(set_delay(&mut s, "ATOM", Some(bad))),
            ContractError::InvalidDelay {
                delay_secs: bad,
                min: 60,
                max: 86_400
            }
        );
    }
    assert_eq!(s.detail("ATOM").delayed, None);
    assert_eq!(
        err(set_delay(&mut s, "ATOM", None)),
        ContractError::NoDelay {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(set_delay(&mut s, "NOPE", Some(60))),
        ContractError::UnknownAsset {
            asset_id: "NOPE".to_string()
        }
    );
    let guardian = s.guardian.clone();
    assert!(matches!(
        err(s.exec(
            &guardian,
            &ExecuteMsg::SetAssetDelay {
                asset_id: "ATOM".to_string(),
                delay: Some(DelayConfig { delay_secs: 60 }),
            }
        )),
        ContractError::Ownership(_)
    ));
    // Poke needs a delayed asset, a bounded batch without duplicates, and no pause.
    assert_eq!(
        err(poke(&mut s, &["ATOM"])),
        ContractError::NoDelay {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(s.exec(
            &guardian,
            &ExecuteMsg::VoidNext {
                asset_id: "ATOM".to_string()
            }
        )),
        ContractError::NoDelay {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(err(poke(&mut s, &[])), ContractError::EmptyBatch);
    let many: Vec<String> = (0..17).map(|i| format!("A{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        err(poke(&mut s, &many)),
        ContractError::BatchTooLarge { len: 17, max: 16 }
    );
    assert_eq!(
        err(poke(&mut s, &["ATOM", "ATOM"])),
        ContractError::DuplicateAsset {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(
        err(poke(&mut s, &["NOPE"])),
        ContractError::UnknownAsset {
            asset_id: "NOPE".to_string()
        }
    );
    set_delay(&mut s, "ATOM", Some(60)).unwrap();
    set_delay(&mut s, "ATOM", Some(86_400)).unwrap();
    feed_both(&mut s, "ATOM", "10");
    s.owner_exec(&ExecuteMsg::PauseAsset {
        asset_id: "ATOM".to_string(),
    })
    .unwrap();
    s.advance(86_400);
    assert_eq!(
        err(poke(&mut s, &["ATOM"])),
        ContractError::AssetPaused {
            asset_id: "ATOM".to_string()
        }
    );
    assert_eq!(s.record("ATOM"), None);
}

#[test]
fn the_max_move_check_applies_to_the_undelayed_aggregates() {
    let mut s = Suite::new();
    let perps = s.app.api().addr_make("perps");
    let asset = max_move_asset(&s, &perps);
    s.owner_exec(&ExecuteMsg::SetAsset { asset }).unwrap();
    set_delay(&mut s, "ATOM", Some(DELAY)).unwrap();
    feed_both(&mut s, "ATOM", "10");
    // No record yet, but the first aggregate anchors the max move: a jump is refused and is
    // never queued.
    s.advance(60);
    let res = feed_both(&mut s, "ATOM", "13");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("move_blocked")
    );
    assert_eq!(s.record("ATOM"), None);
    assert_eq!(delayed(&s, "ATOM").latest.map(|l| l.price), Some(d("10")));
    // The queued 10 is promoted during the move block; the record carries the block flag.
    s.advance(DELAY - 60);
    poke(&mut s, &["ATOM"]).unwrap();
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("10"), FLAG_MOVE_BLOCKED));
    // An aggregate within the allowance clears the flag; the record keeps the delayed value.
    let res = feed_both(&mut s, "ATOM", "10.05");
    assert_eq!(
        event_attr(&res, "bulwark_oracle_price", "result").as_deref(),
        Some("delayed")
    );
    let record = s.record("ATOM").unwrap();
    assert_eq!((record.price, record.flags), (d("10"), 0));
    assert_eq!(
        delayed(&s, "ATOM").latest.map(|l| l.price),
        Some(d("10.05"))
    );
}
