//! Enumerations stored as words (statuses, kinds, roles): the [`Stored`] trait that gives
//! each its strict parse, the `stored_enum!` macro that declares one with each word
//! written once, and the errors a word nobody wrote makes. Reading an unknown word from
//! the database is an internal error naming the row, never a silent default
//! (docs/DESIGN.md §2, rule 4).

use crate::error::AppError;

/// A word that names no variant of a stored enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}")]
pub struct UnknownWord {
    /// What the word should have named, e.g. `certificate status`.
    pub what: &'static str,
    pub word: String,
}

/// A row holding a word its column's enumeration does not know: corrupt stored data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} {id}: {unknown}")]
pub struct CorruptRow {
    pub table: &'static str,
    pub id: String,
    pub unknown: UnknownWord,
}

impl CorruptRow {
    /// `word`, read from row `id` of `table`, names no `what`: for enumerations whose own
    /// parse answers an `Option` (their words also come from forms).
    pub fn new(table: &'static str, id: &str, what: &'static str, word: &str) -> Self {
        Self {
            table,
            id: id.to_owned(),
            unknown: UnknownWord {
                what,
                word: word.to_owned(),
            },
        }
    }
}

impl From<CorruptRow> for AppError {
    /// Logged with the table, id and word; the caller sees only "internal".
    fn from(err: CorruptRow) -> Self {
        AppError::Internal(anyhow::Error::new(err))
    }
}

/// An enumeration stored as one word per variant.
pub trait Stored: Copy + PartialEq + Sized + 'static {
    /// What the words name, for error messages, e.g. `certificate status`.
    const WHAT: &'static str;
    /// Every variant that may be stored.
    const ALL: &'static [Self];

    /// The stored word.
    fn as_str(self) -> &'static str;

    /// The variant `word` names; an unknown word is an error, never a default.
    fn parse(word: &str) -> Result<Self, UnknownWord> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == word)
            .ok_or_else(|| UnknownWord {
                what: Self::WHAT,
                word: word.to_owned(),
            })
    }

    /// The variant stored in row `id` of `table`; an unknown word is [`CorruptRow`].
    fn read(table: &'static str, id: &str, word: &str) -> Result<Self, CorruptRow> {
        Self::parse(word).map_err(|unknown| CorruptRow {
            table,
            id: id.to_owned(),
            unknown,
        })
    }
}

/// Declares an enumeration stored as words, writing each word once: the enum (with serde
/// and the OpenAPI schema using the words), its [`Stored`] implementation and `label()`,
/// the Chinese word the JSON and every page show. Attributes before `pub enum` (docs,
/// further derives) are kept; the enum always derives `Debug`, `Clone`, `Copy`,
/// `PartialEq`, `Eq` and `Hash`.
///
/// ```text
/// stored_enum! {
///     /// Pending until the bureau approves.
///     pub enum OrgStatus("organisation status") {
///         Pending = "pending" => "待审核",
///         Approved = "approved" => "已批准",
///     }
/// }
/// ```
macro_rules! stored_enum {
    // Each word is a `tt`, not a `literal`: a derive macro does not see through the
    // invisible group a `literal` fragment arrives in, and utoipa would then name the
    // variant instead of the word.
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$variant_attr:meta])* $variant:ident = $word:tt => $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema,
        )]
        $vis enum $name {
            $( $(#[$variant_attr])* #[serde(rename = $word)] $variant, )+
        }

        impl $crate::stored::Stored for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }
        }

        impl $name {
            /// The Chinese label, the same in the JSON and on every page.
            $vis fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }
    };
}
pub(crate) use stored_enum;

/// Checks what every stored enumeration promises: each variant round-trips through its
/// word, serde and the OpenAPI schema use the same word, and unknown words (including
/// near misses) are errors.
#[cfg(test)]
pub fn assert_strict<T>()
where
    T: Stored
        + std::fmt::Debug
        + serde::Serialize
        + serde::de::DeserializeOwned
        + utoipa::PartialSchema,
{
    let schema = serde_json::to_value(T::schema()).unwrap_or_default();
    let listed: Vec<&str> = schema["enum"]
        .as_array()
        .map(|words| words.iter().filter_map(|w| w.as_str()).collect())
        .unwrap_or_default();
    for &v in T::ALL {
        assert!(listed.contains(&v.as_str()), "{v:?} not in {schema}");
        assert_eq!(T::parse(v.as_str()), Ok(v));
        assert_eq!(
            serde_json::to_value(v).ok(),
            Some(serde_json::Value::String(v.as_str().to_owned()))
        );
        assert_eq!(
            serde_json::from_value::<T>(serde_json::Value::String(v.as_str().to_owned())).ok(),
            Some(v)
        );
        for near in [v.as_str().to_uppercase(), format!(" {}", v.as_str())] {
            assert!(T::parse(&near).is_err(), "{near:?} parsed");
        }
    }
    for unknown in ["", "unknown", "bogus"] {
        assert_eq!(
            T::parse(unknown),
            Err(UnknownWord {
                what: T::WHAT,
                word: unknown.to_owned()
            })
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Colour {
        Red,
    }

    impl Stored for Colour {
        const WHAT: &'static str = "colour";
        const ALL: &'static [Self] = &[Colour::Red];

        fn as_str(self) -> &'static str {
            "red"
        }
    }

    #[test]
    fn an_unknown_word_in_a_row_is_an_internal_error_naming_table_id_and_word() {
        assert_eq!(Colour::read("paints", "p1", "red"), Ok(Colour::Red));
        let err = Colour::read("paints", "p1", "blue").expect_err("blue is unknown");
        assert_eq!(err.to_string(), "paints p1: unknown colour \"blue\"");
        let app: AppError = err.into();
        assert!(matches!(&app, AppError::Internal(e) if e.to_string().contains("p1")));
        assert_eq!(app.body().error, "internal");
        assert!(!app.body().message.contains("blue"));
    }
}
