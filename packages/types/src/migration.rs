//! Version checks every `migrate` entry point runs before touching state.

use cosmwasm_std::{Response, StdError, Storage};
use semver::Version;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum MigrationError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("cannot migrate state of contract {found} into {expected}")]
    WrongContract { expected: String, found: String },
    #[error("cannot migrate from version {from} to older version {to}")]
    Downgrade { from: String, to: String },
    #[error("invalid semantic version {version}")]
    InvalidVersion { version: String },
    #[error("cannot migrate state layout {stored} into code with the older layout {current}")]
    StateLayoutTooNew { stored: u16, current: u16 },
}

/// Version of a contract's stored state layout, independent of the crate version (which may
/// stay while the layout changes, so it cannot tell which state steps are due). Saved at
/// instantiate; absent = layout 1, state written before the marker existed.
pub const STATE_LAYOUT: cw_storage_plus::Item<u16> = cw_storage_plus::Item::new("state_layout");

/// The stored layout `migrate` runs its steps from; state written by code with a newer
/// layout than `current` is refused.
pub fn stored_layout(storage: &dyn Storage, current: u16) -> Result<u16, MigrationError> {
    let stored = STATE_LAYOUT.may_load(storage)?.unwrap_or(1);
    if stored > current {
        return Err(MigrationError::StateLayoutTooNew { stored, current });
    }
    Ok(stored)
}

fn parse(version: &str) -> Result<Version, MigrationError> {
    Version::parse(version).map_err(|_| MigrationError::InvalidVersion {
        version: version.to_string(),
    })
}

/// Checks that the stored cw2 record belongs to `contract_name` and is not newer than
/// `new_version`, then records `new_version`. Returns the version migrated from, so the
/// caller can run the state migrations between the two.
pub fn prepare_migration(
    storage: &mut dyn Storage,
    contract_name: &str,
    new_version: &str,
) -> Result<Version, MigrationError> {
    let stored = cw2::get_contract_version(storage)?;
    if stored.contract != contract_name {
        return Err(MigrationError::WrongContract {
            expected: contract_name.to_string(),
            found: stored.contract,
        });
    }
    let from = parse(&stored.version)?;
    let to = parse(new_version)?;
    if to < from {
        return Err(MigrationError::Downgrade {
            from: stored.version,
            to: new_version.to_string(),
        });
    }
    cw2::set_contract_version(storage, contract_name, new_version)?;
    Ok(from)
}

/// The response of a successful `migrate`, naming both versions.
pub fn migration_response(from_version: &Version, to_version: &str) -> Response {
    Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from_version.to_string())
        .add_attribute("to_version", to_version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn refuses_other_contract_and_downgrade() {
        let mut storage = MockStorage::new();
        cw2::set_contract_version(&mut storage, "crates.io:bulwark-vault", "1.2.0").unwrap();
        assert_eq!(
            prepare_migration(&mut storage, "crates.io:bulwark-perps", "1.3.0"),
            Err(MigrationError::WrongContract {
                expected: "crates.io:bulwark-perps".into(),
                found: "crates.io:bulwark-vault".into()
            })
        );
        assert_eq!(
            prepare_migration(&mut storage, "crates.io:bulwark-vault", "1.1.9"),
            Err(MigrationError::Downgrade {
                from: "1.2.0".into(),
                to: "1.1.9".into()
            })
        );
        assert_eq!(
            prepare_migration(&mut storage, "crates.io:bulwark-vault", "not-a-version"),
            Err(MigrationError::InvalidVersion {
                version: "not-a-version".into()
            })
        );
        // Refusals leave the record untouched.
        assert_eq!(
            cw2::get_contract_version(&storage).unwrap().version,
            "1.2.0"
        );
        let from = prepare_migration(&mut storage, "crates.io:bulwark-vault", "1.2.0").unwrap();
        assert_eq!(from, Version::new(1, 2, 0));
        prepare_migration(&mut storage, "crates.io:bulwark-vault", "1.3.0").unwrap();
        assert_eq!(
            cw2::get_contract_version(&storage).unwrap().version,
            "1.3.0"
        );
    }

    #[test]
    fn refuses_uninitialized_state() {
        let mut storage = MockStorage::new();
        assert!(matches!(
            prepare_migration(&mut storage, "crates.io:bulwark-vault", "1.0.0"),
            Err(MigrationError::Std(_))
        ));
    }
}
