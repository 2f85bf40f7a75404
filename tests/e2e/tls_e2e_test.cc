// The TLS listener with client certificates (mTLS), end to end: certificates made here with
// OpenSSL (a CA, the server's certificate, client certificates from that CA and from a rogue CA
// with the same subject), the real binary configured with [tls] and [[auth.client_certs]], and a
// TLS client on OpenSSL.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "tests/e2e/auth_util.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/server_process.h"
#include "tests/test_util.h"

namespace crmi::test {
namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

struct Identity {
  Key key;
  Cert cert;
};

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A P-256 key and a certificate for `subject` ({"O", "..."}, {"CN", "..."}), signed by `issuer`
// (self-signed when null).
Identity MakeIdentity(const std::vector<std::pair<std::string, std::string>>& subject,
                      const Identity* issuer, bool ca, const char* san = nullptr) {
  Identity id;
  id.key.reset(EVP_EC_gen("P-256"));
  id.cert.reset(X509_new());
  X509* c = id.cert.get();
  X509_set_version(c, 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400);
  X509_set_pubkey(c, id.key.get());
  X509_NAME* name = X509_get_subject_name(c);
  for (const auto& [k, v] : subject) {
    X509_NAME_add_entry_by_txt(name, k.c_str(), MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0);
  }
  X509* issuer_cert = issuer ? issuer->cert.get() : c;
  X509_set_issuer_name(c, X509_get_subject_name(issuer_cert));
  AddExt(c, issuer_cert, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (ca) AddExt(c, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (san) AddExt(c, issuer_cert, NID_subject_alt_name, san);
  X509_sign(c, issuer ? issuer->key.get() : id.key.get(), EVP_sha256());
  return id;
}

void WritePem(const std::string& path, X509* cert) {
  FILE* f = fopen(path.c_str(), "w");
  PEM_write_X509(f, cert);
  fclose(f);
}
void WritePem(const std::string& path, EVP_PKEY* key) {
  FILE* f = fopen(path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
}

struct TlsResult {
  bool handshake = false;
  int status = 0;
  std::string body;
};

// One "Connection: close" request over TLS, verifying the server against `ca`, presenting
// `client` when given.
TlsResult TlsRequest(int port, const Identity& ca, const Identity* client,
                     const std::string& target, const std::string& extra_headers = "") {
  TlsResult out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca.cert.get());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (client != nullptr) {
    SSL_CTX_use_certificate(ctx, client->cert.get());
    SSL_CTX_use_PrivateKey(ctx, client->key.get());
  }
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = nullptr;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "127.0.0.1");
    // With TLS 1.3 a refused client certificate surfaces on the first read, not in SSL_connect.
    if (SSL_connect(ssl) == 1) {
      const std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
                              "Connection: close\r\n\r\n";
      if (SSL_write(ssl, req.data(), static_cast<int>(req.size())) > 0) {
        std::string raw;
        char buf[4096];
        int n;
        while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) raw.append(buf, static_cast<size_t>(n));
        if (raw.rfind("HTTP/1.1 ", 0) == 0) {
          out.handshake = true;
          out.status = std::stoi(raw.substr(9, 3));
          const size_t body = raw.find("\r\n\r\n");
          if (body != std::string::npos) out.body = raw.substr(body + 4);
        }
      }
    }
  }
  ERR_clear_error();
  if (ssl != nullptr) SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return out;
}

// The TLS port from the "listening (tls)" log line ("url":"https://127.0.0.1:<port>").
int TlsPort(const std::string& app_log) {
  const std::string prefix = "https://127.0.0.1:";
  const size_t at = app_log.find(prefix);
  if (at == std::string::npos) return 0;
  int port = 0;
  for (size_t i = at + prefix.size();
       i < app_log.size() && std::isdigit(static_cast<unsigned char>(app_log[i])); ++i) {
    port = port * 10 + (app_log[i] - '0');
  }
  return port;
}

class TlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("tls");
    ca_ = MakeIdentity({{"O", "Maple Bank"}, {"CN", "Maple Bank Test CA"}}, nullptr, true);
    server_id_ = MakeIdentity({{"CN", "crmi.test"}}, &ca_, false, "IP:127.0.0.1,DNS:localhost");
    billing_ = MakeIdentity({{"O", "Maple Bank"}, {"CN", "svc-billing"}}, &ca_, false);
    unmapped_ = MakeIdentity({{"O", "Maple Bank"}, {"CN", "svc-unknown"}}, &ca_, false);
    Identity rogue_ca =
        MakeIdentity({{"O", "Maple Bank"}, {"CN", "Maple Bank Test CA"}}, nullptr, true);
    forged_ = MakeIdentity({{"O", "Maple Bank"}, {"CN", "svc-billing"}}, &rogue_ca, false);
    WritePem(dir_ + "/ca.pem", ca_.cert.get());
    WritePem(dir_ + "/server.pem", server_id_.cert.get());
    WritePem(dir_ + "/server.key", server_id_.key.get());
    std::filesystem::create_directories(dir_ + "/data");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteConfig(bool require_client_cert) {
    std::ofstream(dir_ + "/crmi.toml") << "[tls]\n"
                                          "listen = \"127.0.0.1:0\"\n"
                                          "cert = \""
                                       << dir_
                                       << "/server.pem\"\n"
                                          "key = \""
                                       << dir_
                                       << "/server.key\"\n"
                                          "client_ca = \""
                                       << dir_
                                       << "/ca.pem\"\n"
                                          "require_client_cert = "
                                       << (require_client_cert ? "true" : "false")
                                       << "\n"
                                          "[[auth.client_certs]]\n"
                                          "subject = \"CN=svc-billing,O=Maple Bank\"\n"
                                          "sub = \"svc:billing\"\n"
                                          "tenant = \"bank\"\n"
                                          "roles = [\"admin\"]\n";
  }

  std::string dir_;
  Identity ca_, server_id_, billing_, unmapped_, forged_;
};

TEST_F(TlsE2ETest, ClientCertificatesMapToServicePrincipals) {
  WriteConfig(/*require_client_cert=*/true);
  ServerProcess server(dir_ + "/data", {"--config", dir_ + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const int tls_port = TlsPort(server.AppLog());
  ASSERT_GT(tls_port, 0) << server.AppLog();

  TlsResult who = TlsRequest(tls_port, ca_, &billing_, "/v1/whoami");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(JsonField(who.body, "sub"), "svc:billing");
  EXPECT_EQ(JsonField(who.body, "tenant"), "bank");
  EXPECT_EQ(JsonField(who.body, "method"), "mtls");
  EXPECT_EQ(JsonField(who.body, "kind"), "service");
  // The mapped principal is governed by the policy like any other: admin may list contacts.
  EXPECT_EQ(TlsRequest(tls_port, ca_, &billing_, "/v1/contacts").status, 200);

  // A certificate from the right CA whose subject maps to nobody: 401, explained.
  TlsResult unmapped = TlsRequest(tls_port, ca_, &unmapped_, "/v1/whoami");
  EXPECT_EQ(unmapped.status, 401) << unmapped.body;
  EXPECT_NE(unmapped.body.find("not mapped"), std::string::npos) << unmapped.body;
  // The same subject signed by another CA, or no certificate at all: no TLS session.
  EXPECT_FALSE(TlsRequest(tls_port, ca_, &forged_, "/v1/whoami").handshake);
  EXPECT_FALSE(TlsRequest(tls_port, ca_, nullptr, "/v1/whoami").handshake);
  // The plain listener never carries a certificate identity.
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/whoami").status, 401);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();

  RunResult exported = RunCrmi({"audit", "export", "--data-dir", dir_ + "/data"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("\"method\":\"mtls\""), std::string::npos);
  EXPECT_NE(exported.out.find("\"sub\":\"svc:billing\""), std::string::npos);
}

TEST_F(TlsE2ETest, OptionalClientCertificatesAndBearerTokensOverTls) {
  WriteConfig(/*require_client_cert=*/false);
  ServerProcess server(dir_ + "/data", {"--config", dir_ + "/crmi.toml"});
  ASSERT_TRUE(server.Start()) << server.AppLog();
  const int tls_port = TlsPort(server.AppLog());
  ASSERT_GT(tls_port, 0) << server.AppLog();
  // Without a certificate the session is set up, and a bearer token authenticates.
  EXPECT_EQ(TlsRequest(tls_port, ca_, nullptr, "/v1/whoami").status, 401);
  const std::string token = MintToken(dir_ + "/data", "alice", "bank", "admin");
  TlsResult who =
      TlsRequest(tls_port, ca_, nullptr, "/v1/whoami", "Authorization: Bearer " + token + "\r\n");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(JsonField(who.body, "sub"), "alice");
  // A certificate that does not chain to the client CA names no principal; it still may not
  // open the session (OpenSSL refuses a presented certificate that fails verification).
  TlsResult forged = TlsRequest(tls_port, ca_, &forged_, "/v1/whoami");
  EXPECT_NE(forged.status, 200);
  EXPECT_EQ(TlsRequest(tls_port, ca_, &billing_, "/v1/whoami").status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.AppLog();
}

TEST_F(TlsE2ETest, BadKeyMaterialIsAStartupError) {
  std::ofstream(dir_ + "/crmi.toml") << "[tls]\nlisten = \"127.0.0.1:0\"\ncert = \"" << dir_
                                     << "/server.pem\"\nkey = \"" << dir_ << "/ca.pem\"\n";
  ServerProcess server(dir_ + "/data", {"--config", dir_ + "/crmi.toml"});
  EXPECT_FALSE(server.Start());
  EXPECT_NE(server.AppLog().find("tls key"), std::string::npos) << server.AppLog();
}

}  // namespace
}  // namespace crmi::test
