//! Who may see and do what. The authenticated [`Caller`], its [`Role`], the tenant
//! [`Scope`] of a query, and every who-sees-what rule of the capabilities ([`rules`]).
//! A leaf: it knows the tables (to ask who holds or enrolled whom) but no capability, so
//! every capability can ask it.

pub mod role;
pub mod rules;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter, Select};

use crate::{
    audit::{Actor, Minter},
    error::AppError,
};
pub use role::Role;

/// The authenticated account behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub login: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub token_id: String,
    /// Who made the token, when another account made it for this one (an integration
    /// token); every audit entry of the request names them beside the caller.
    pub minted_by: Option<Minter>,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden_role())
        }
    }

    pub fn is_bureau(&self) -> bool {
        self.role == Role::BureauAdmin
    }

    /// Whether the caller works for `organisation_id`.
    pub fn belongs_to(&self, organisation_id: &str) -> bool {
        self.organisation_id.as_deref() == Some(organisation_id)
    }

    /// Whether the caller is the account a person record is linked to.
    pub fn is_account(&self, account_id: Option<&str>) -> bool {
        !self.account_id.is_empty() && account_id == Some(self.account_id.as_str())
    }

    /// The records this caller may see: everything for the bureau, otherwise its own
    /// organisation's.
    pub fn scope(&self) -> Scope {
        match (&self.role, &self.organisation_id) {
            (Role::BureauAdmin, _) => Scope::All,
            (_, Some(org)) => Scope::Organisation(org.clone()),
            (_, None) => Scope::Nothing,
        }
    }

    pub fn actor(&self) -> Actor {
        if self.account_id.is_empty() {
            Actor::system(&self.login)
        } else {
            Actor {
                minted_by: self.minted_by.clone(),
                ..Actor::account(&self.account_id, &self.login)
            }
        }
    }

    /// The operator at the command line (trusted: they hold the server's files), acting
    /// in `role` for `organisation_id`; audited as the system actor `cli`.
    pub fn command_line(role: Role, organisation_id: Option<String>) -> Self {
        Self {
            account_id: String::new(),
            login: "cli".into(),
            role,
            organisation_id,
            token_id: String::new(),
            minted_by: None,
        }
    }
}

/// Tenant scope of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Organisation(String),
    Nothing,
}

impl Scope {
    /// Whether a record owned by `organisation_id` is visible.
    pub fn sees(&self, organisation_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Organisation(own) => own == organisation_id,
            Scope::Nothing => false,
        }
    }

    /// Whether a record owned by `organisation_id` (if any) is visible.
    pub fn sees_owner(&self, organisation_id: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            _ => organisation_id.is_some_and(|org| self.sees(org)),
        }
    }

    /// `query` narrowed to the records whose `owner` column is in scope; `None` when
    /// nothing is (answer an empty list without asking the database).
    pub fn apply<E: EntityTrait>(
        &self,
        query: Select<E>,
        owner: impl ColumnTrait,
    ) -> Option<Select<E>> {
        match self {
            Scope::All => Some(query),
            Scope::Organisation(org) => Some(query.filter(owner.eq(org.as_str()))),
            Scope::Nothing => None,
        }
    }

    /// The row with this `id` of the `owner` column's table, if its owner is in scope;
    /// "not found" otherwise, so a row out of scope cannot be told from a missing one.
    pub async fn find_by_id<C>(
        &self,
        conn: &impl ConnectionTrait,
        id: &str,
        owner: C,
    ) -> Result<<C::EntityName as EntityTrait>::Model, AppError>
    where
        C: ColumnTrait,
        C::EntityName: EntityTrait,
        String: Into<<<C::EntityName as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        let query = <C::EntityName as EntityTrait>::find_by_id(id.to_owned());
        let query = self.apply(query, owner).ok_or(AppError::NotFound)?;
        query.one(conn).await?.ok_or(AppError::NotFound)
    }
}
