//! Two-step ownership shared by every Bulwark contract.
//!
//! The owner is meant to be a DAO. A transfer is proposed by the owner and only takes
//! effect when the proposed address accepts it, so a typo can never hand the contract to
//! an address nobody controls.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    Addr, Api, Attribute, BlockInfo, DepsMut, Env, MessageInfo, Response, StdError, Storage,
};
use cw_storage_plus::Item;
use thiserror::Error;

/// Storage key of the [`Ownership`] record in every Bulwark contract.
pub const OWNERSHIP_KEY: &str = "ownership";
const OWNERSHIP: Item<Ownership> = Item::new(OWNERSHIP_KEY);

#[cw_serde]
pub struct Ownership {
    pub owner_addr: Addr,
    /// Address proposed by the owner; it becomes owner when it accepts.
    pub pending_owner_addr: Option<Addr>,
    /// The proposal lapses after this block time (seconds), if set.
    pub pending_expiry_secs: Option<u64>,
}

#[cw_serde]
pub enum OwnershipAction {
    /// Owner only: propose a new owner, optionally with a deadline to accept.
    TransferOwnership {
        new_owner: String,
        expiry_secs: Option<u64>,
    },
    /// Proposed owner only: accept a pending transfer.
    AcceptOwnership {},
    /// Owner only: withdraw a pending proposal.
    CancelTransfer {},
}

#[derive(Error, Debug, PartialEq)]
pub enum OwnershipError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("unauthorized: only the owner may do this")]
    NotOwner,
    #[error("unauthorized: only the pending owner may accept")]
    NotPendingOwner,
    #[error("no ownership transfer is pending")]
    NoPendingTransfer,
    #[error("the ownership transfer expired at {expiry_secs}")]
    TransferExpired { expiry_secs: u64 },
    #[error("expiry {expiry_secs} is not in the future")]
    ExpiryInPast { expiry_secs: u64 },
    #[error("the new owner is already the owner")]
    AlreadyOwner,
}

/// Stores the initial owner; called once from `instantiate`.
pub fn initialize_owner(
    storage: &mut dyn Storage,
    api: &dyn Api,
    owner: &str,
) -> Result<Ownership, OwnershipError> {
    let ownership = Ownership {
        owner_addr: api.addr_validate(owner)?,
        pending_owner_addr: None,
        pending_expiry_secs: None,
    };
    OWNERSHIP.save(storage, &ownership)?;
    Ok(ownership)
}

pub fn get_ownership(storage: &dyn Storage) -> Result<Ownership, OwnershipError> {
    Ok(OWNERSHIP.load(storage)?)
}

/// Errors with [`OwnershipError::NotOwner`] unless `sender` is the current owner.
pub fn assert_owner(storage: &dyn Storage, sender: &Addr) -> Result<(), OwnershipError> {
    if OWNERSHIP.load(storage)?.owner_addr != *sender {
        return Err(OwnershipError::NotOwner);
    }
    Ok(())
}

/// Applies an ownership action for `sender`; returns the new record and response attributes.
pub fn update_ownership(
    storage: &mut dyn Storage,
    api: &dyn Api,
    block: &BlockInfo,
    sender: &Addr,
    action: OwnershipAction,
) -> Result<(Ownership, Vec<Attribute>), OwnershipError> {
    let mut ownership = OWNERSHIP.load(storage)?;
    let now_secs = block.time.seconds();
    let attrs = match action {
        OwnershipAction::TransferOwnership {
            new_owner,
            expiry_secs,
        } => {
            if ownership.owner_addr != *sender {
                return Err(OwnershipError::NotOwner);
            }
            let new_owner_addr = api.addr_validate(&new_owner)?;
            if new_owner_addr == ownership.owner_addr {
                return Err(OwnershipError::AlreadyOwner);
            }
            if let Some(expiry_secs) = expiry_secs {
                if expiry_secs <= now_secs {
                    return Err(OwnershipError::ExpiryInPast { expiry_secs });
                }
            }
            ownership.pending_owner_addr = Some(new_owner_addr.clone());
            ownership.pending_expiry_secs = expiry_secs;
            vec![
                Attribute::new("action", "transfer_ownership"),
                Attribute::new("pending_owner", new_owner_addr),
            ]
        }
        OwnershipAction::AcceptOwnership {} => {
            let pending = ownership
                .pending_owner_addr
                .clone()
                .ok_or(OwnershipError::NoPendingTransfer)?;
            if pending != *sender {
                return Err(OwnershipError::NotPendingOwner);
            }
            if let Some(expiry_secs) = ownership.pending_expiry_secs {
                if now_secs > expiry_secs {
                    return Err(OwnershipError::TransferExpired { expiry_secs });
                }
            }
            ownership.owner_addr = pending.clone();
            ownership.pending_owner_addr = None;
            ownership.pending_expiry_secs = None;
            vec![
                Attribute::new("action", "accept_ownership"),
                Attribute::new("owner", pending),
            ]
        }
        OwnershipAction::CancelTransfer {} => {
            if ownership.owner_addr != *sender {
                return Err(OwnershipError::NotOwner);
            }
            if ownership.pending_owner_addr.is_none() {
                return Err(OwnershipError::NoPendingTransfer);
            }
            ownership.pending_owner_addr = None;
            ownership.pending_expiry_secs = None;
            vec![Attribute::new("action", "cancel_ownership_transfer")]
        }
    };
    OWNERSHIP.save(storage, &ownership)?;
    Ok((ownership, attrs))
}

/// The `UpdateOwnership` execute handler every contract dispatches to.
pub fn execute_update_ownership(
    deps: DepsMut,
    env: &Env,
    info: &MessageInfo,
    action: OwnershipAction,
) -> Result<Response, OwnershipError> {
    let (_, attrs) = update_ownership(deps.storage, deps.api, &env.block, &info.sender, action)?;
    Ok(Response::new().add_attributes(attrs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::{mock_dependencies, mock_env};

    fn setup() -> (
        cosmwasm_std::OwnedDeps<
            cosmwasm_std::MemoryStorage,
            cosmwasm_std::testing::MockApi,
            cosmwasm_std::testing::MockQuerier,
        >,
        Addr,
        Addr,
        Addr,
    ) {
        let deps = mock_dependencies();
        let dao = deps.api.addr_make("dao");
        let next = deps.api.addr_make("next");
        let eve = deps.api.addr_make("eve");
        (deps, dao, next, eve)
    }

    #[test]
    fn two_step_transfer() {
        let (mut deps, dao, next, eve) = setup();
        let env = mock_env();
        initialize_owner(&mut deps.storage, &deps.api, dao.as_str()).unwrap();
        let transfer = OwnershipAction::TransferOwnership {
            new_owner: next.to_string(),
            expiry_secs: None,
        };
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &eve,
                transfer.clone()
            ),
            Err(OwnershipError::NotOwner)
        );
        update_ownership(&mut deps.storage, &deps.api, &env.block, &dao, transfer).unwrap();
        // Still the old owner until accepted.
        assert_eq!(get_ownership(&deps.storage).unwrap().owner_addr, dao);
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &eve,
                OwnershipAction::AcceptOwnership {}
            ),
            Err(OwnershipError::NotPendingOwner)
        );
        update_ownership(
            &mut deps.storage,
            &deps.api,
            &env.block,
            &next,
            OwnershipAction::AcceptOwnership {},
        )
        .unwrap();
        let o = get_ownership(&deps.storage).unwrap();
        assert_eq!(o.owner_addr, next);
        assert_eq!(o.pending_owner_addr, None);
        assert_eq!(
            assert_owner(&deps.storage, &dao),
            Err(OwnershipError::NotOwner)
        );
        assert_owner(&deps.storage, &next).unwrap();
    }

    #[test]
    fn expiry_and_cancel() {
        let (mut deps, dao, next, _) = setup();
        let mut env = mock_env();
        initialize_owner(&mut deps.storage, &deps.api, dao.as_str()).unwrap();
        let now = env.block.time.seconds();
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &dao,
                OwnershipAction::TransferOwnership {
                    new_owner: next.to_string(),
                    expiry_secs: Some(now)
                }
            ),
            Err(OwnershipError::ExpiryInPast { expiry_secs: now })
        );
        update_ownership(
            &mut deps.storage,
            &deps.api,
            &env.block,
            &dao,
            OwnershipAction::TransferOwnership {
                new_owner: next.to_string(),
                expiry_secs: Some(now + 10),
            },
        )
        .unwrap();
        env.block.time = env.block.time.plus_seconds(11);
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &next,
                OwnershipAction::AcceptOwnership {}
            ),
            Err(OwnershipError::TransferExpired {
                expiry_secs: now + 10
            })
        );
        update_ownership(
            &mut deps.storage,
            &deps.api,
            &env.block,
            &dao,
            OwnershipAction::CancelTransfer {},
        )
        .unwrap();
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &next,
                OwnershipAction::AcceptOwnership {}
            ),
            Err(OwnershipError::NoPendingTransfer)
        );
        assert_eq!(
            update_ownership(
                &mut deps.storage,
                &deps.api,
                &env.block,
                &dao,
                OwnershipAction::CancelTransfer {}
            ),
            Err(OwnershipError::NoPendingTransfer)
        );
    }
}
