// Generates the gRPC server code from ../proto (DESIGN §8). prost-build needs `protoc`: it uses
// $PROTOC when set, else `protoc` on PATH (Debian: apt-get install protobuf-compiler).
fn main() {
    let proto = "../proto/jepsen/tikv/v1/client.proto";
    println!("cargo:rerun-if-changed={proto}");
    tonic_build::configure()
        .build_client(false)
        .compile(&[proto], &["../proto"])
        .unwrap_or_else(|e| panic!("compiling {proto} failed (is protoc installed? set PROTOC or apt-get install protobuf-compiler): {e}"));
}
