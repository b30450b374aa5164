//! The Models API's objects: a model (`GET /models/{id}`) and the list
//! `GET /models` answers with (one page, no cursor).

wire_object! {
    /// A model a key can use.
    pub struct Model {
        id: String,
        object: String,
        created: f64,
        owned_by: String,
    }
}

wire_object! {
    /// `GET /models`: every model, in one page.
    pub struct ModelList {
        object: String,
        data: Vec<Model>,
    }
}
