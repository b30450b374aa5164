//! `client.models()`: list, retrieve and delete models, rows of the core's
//! endpoint table like every other call. The list is one page (the API
//! has no cursor here).

use rapidresponse_core::types::{DeleteResult, Model, ModelList};
use rapidresponse_core::{Call, Operation};

use crate::client::{ApiResponse, Client};
use crate::resources::{json, Parsed, Request};
use crate::transport::Transport;

impl Parsed for Model {}
impl Parsed for ModelList {}

impl<T: Transport> Client<T> {
    /// The Models API.
    pub fn models(&self) -> Models<T> {
        Models {
            client: self.clone(),
        }
    }
}

/// `client.models()`.
pub struct Models<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Models<T> {
    /// `GET /models`: the models this key can use.
    pub fn list(&self) -> Request<T, ApiResponse<ModelList>> {
        Request::new(&self.client, Ok(Call::new(Operation::ModelsList)), json)
    }

    /// `GET /models/{id}`.
    pub fn retrieve(&self, id: &str) -> Request<T, ApiResponse<Model>> {
        let call = Call::new(Operation::ModelsRetrieve).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `DELETE /models/{id}`: a fine-tuned model of this organization.
    pub fn delete(&self, id: &str) -> Request<T, ApiResponse<DeleteResult>> {
        let call = Call::new(Operation::ModelsDelete).param(id);
        Request::new(&self.client, Ok(call), json)
    }
}
