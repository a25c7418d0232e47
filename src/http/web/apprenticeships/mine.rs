//! "我的学徒培养": an apprentice's own plan and progress — the agreement's modules and
//! milestones with those completed, their mentors and where they stand.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use crate::{
    apprenticeships::mine::{self, Mine},
    http::{
        AppState,
        policy::Trainees,
        web::{WebError, html, session::SignedIn, staff::Shell},
    },
    stored::Stored,
};

#[derive(Template)]
#[template(path = "apprenticeships/mine.html")]
struct MinePage {
    shell: Shell,
    mine: Vec<Mine>,
}

impl MinePage {
    fn done(&self, m: &Mine) -> usize {
        m.apprentice
            .milestones
            .iter()
            .filter(|s| s.completed_on.is_some())
            .count()
    }
}

/// The apprentice's page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let mine = mine::of_trainee(&app.db.read, &app.pii, &session.caller).await?;
    let (shell, jar) = Shell::load(&app, &session, "/me/apprenticeships", jar).await?;
    let page = MinePage { shell, mine };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}
