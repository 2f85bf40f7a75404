#include "src/cli/data_dir.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "src/audit/audit_log.h"
#include "src/common/build_info.h"
#include "src/common/clock.h"
#include "src/common/ids.h"
#include "src/common/json_text.h"
#include "src/common/log.h"
#include "src/common/metrics.h"
#include "src/common/time_format.h"
#include "src/crm/demo_data.h"
#include "src/crm/importer.h"
#include "src/crm/record.h"
#include "src/crm/record_service.h"
#include "src/crm/retention.h"
#include "src/crm/schema.h"
#include "src/crm/subject.h"
#include "src/http/app.h"
#include "src/http/filters/access_log.h"
#include "src/http/filters/audit.h"
#include "src/http/filters/authn.h"
#include "src/http/filters/authz.h"
#include "src/http/filters/limits.h"
#include "src/http/filters/metrics.h"
#include "src/http/filters/request_id.h"
#include "src/http/routes.h"
#include "src/http/server.h"
#include "src/llm/answer_cache.h"
#include "src/llm/ask.h"
#include "src/llm/budget.h"
#include "src/llm/extractive.h"
#include "src/llm/injection.h"
#include "src/llm/openai_chat.h"
#include "src/llm/output_guard.h"
#include "src/llm/redis_answers.h"
#include "src/llm/router.h"
#include "src/llm/templates.h"
#include "src/privacy/contact_names.h"
#include "src/privacy/detector.h"
#include "src/privacy/encrypting_store.h"
#include "src/privacy/keys.h"
#include "src/privacy/redaction.h"
#include "src/privacy/subject_export.h"
#include "src/privacy/vault.h"
#include "src/retrieval/embedding_cache.h"
#include "src/retrieval/openai_embedder.h"
#include "src/retrieval/retrieval_service.h"
#include "src/store/sqlite/sqlite_store.h"
#include "src/trust/api_keys.h"
#include "src/trust/approvals.h"
#include "src/trust/dev_issuer.h"
#include "src/trust/network.h"
#include "src/trust/policy_store.h"
#include "src/trust/token_verifier.h"

namespace crmi::cli {
namespace fs = std::filesystem;

std::string DbPath(const std::string& data_dir) { return data_dir + "/crmi.db"; }

Result<std::unique_ptr<privacy::EncryptingStore>> OpenStore(const std::string& data_dir,
                                                            const std::string& synchronous,
                                                            metrics::Registry* registry) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Unavailable("cannot create data dir " + data_dir + ": " + ec.message());
  store::sqlite::SqliteOptions o;
  o.path = DbPath(data_dir);
  o.synchronous = synchronous;
  o.metrics = registry;
  std::vector<store::CollectionSpec> specs = crm::Schema::Default().StoreSpecs();
  specs.push_back(trust::ApiKeyStore::Spec());
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> inner, store::sqlite::Open(o, specs));
  auto keys = privacy::LocalKeyProvider::FromEnvOrFile(
      (fs::path(data_dir) / "keys" / "master.key").string());
  if (!keys.ok()) {
    (void)inner->Close();
    return keys.status();
  }
  auto vault = privacy::Vault::Open((fs::path(data_dir) / "privacy" / "vault.db").string(),
                                    keys.value().get());
  if (!vault.ok()) {
    (void)inner->Close();
    return vault.status();
  }
  return std::make_unique<privacy::EncryptingStore>(
      std::move(inner), &crm::Schema::Default(), std::move(keys).value(), std::move(vault).value());
}

Result<std::unique_ptr<trust::ApprovalQueue>> OpenApprovals(const std::string& data_dir,
                                                            std::chrono::seconds ttl,
                                                            metrics::Registry* registry) {
  ASSIGN_OR_RETURN(std::shared_ptr<privacy::KeyProvider> keys,
                   privacy::LocalKeyProvider::FromEnvOrFile(
                       (fs::path(data_dir) / "keys" / "master.key").string()));
  trust::Sealer sealer;
  sealer.seal = [keys](std::string_view plain, std::string_view context) {
    return keys->Wrap(plain, context, nullptr);
  };
  sealer.open = [keys](std::string_view sealed, std::string_view context) {
    return keys->Unwrap(sealed, context);
  };
  return trust::ApprovalQueue::Open((fs::path(data_dir) / "approvals").string(), std::move(sealer),
                                    Clock::Real(), ttl, 10000, registry);
}

}  // namespace crmi::cli
