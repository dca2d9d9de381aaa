//! The minimal server PERFORMANCE.md ("The read path under wrk") measures the fake against: the
//! same HTTP stack (tokio, hyper, axum) answering `GET /` with a 2-byte body, on
//! `127.0.0.1:7490` or the address given as the first argument.
//!
//! `cargo run --release -p harness-bench --example minimal_server`

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7490".to_owned());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .expect("the address is free");
    axum::serve(listener, app).await.expect("serves");
}
