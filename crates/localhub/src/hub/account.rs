//! `whoami-v2`: the caller's account, orgs and token.

use serde_json::{json, Value};

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};

pub fn whoami(app: &App, ctx: &Ctx) -> HubResult {
    let Some(user) = &ctx.caller.user else {
        return Err(HubError::unauthorized("Invalid credentials in Authorization header"));
    };
    let account = app.store.account(user)?.ok_or_else(|| HubError::unauthorized("Unknown user"))?;
    let orgs: Vec<Value> = app
        .store
        .orgs_of(user)?
        .into_iter()
        .map(|o| {
            json!({ "type": "org", "id": o.uid, "name": o.name, "fullname": o.fullname, "email": null,
                    "canPay": false, "avatarUrl": format!("/avatars/{}.svg", o.name), "periodEnd": null,
                    "roleInOrg": "admin", "isEnterprise": false })
        })
        .collect();
    Ok(http::ok_json(json!({
        "type": "user",
        "id": account.uid,
        "name": account.name,
        "fullname": account.fullname,
        "email": format!("{}@localhub.invalid", account.name),
        "emailVerified": true,
        "avatarUrl": format!("/avatars/{}.svg", account.name),
        "isPro": false,
        "canPay": false,
        "periodEnd": null,
        "billingMode": "postpaid",
        "orgs": orgs,
        "auth": {
            "type": "access_token",
            "accessToken": {
                "displayName": ctx.caller.token_name,
                "role": ctx.caller.role,
                "createdAt": http::iso_date(ctx.caller.token_created),
            }
        }
    })))
}
