// The data directory as the commands open it: its store (SQLite behind the privacy layer's
// encryption of restricted fields) and its queue of answers held for approval. Internal to
// src/cli.
#ifndef CRMI_CLI_DATA_DIR_H_
#define CRMI_CLI_DATA_DIR_H_

#include <chrono>
#include <memory>
#include <string>

#include "src/common/metrics.h"
#include "src/common/status.h"
#include "src/privacy/encrypting_store.h"
#include "src/trust/approvals.h"

namespace crmi::cli {

std::string DbPath(const std::string& data_dir);

// The data directory's store: SQLite, behind the privacy layer's encryption of restricted fields
// (master key from CRMI_MASTER_KEY or keys/master.key; subject keys in privacy/vault.db).
Result<std::unique_ptr<privacy::EncryptingStore>> OpenStore(const std::string& data_dir,
                                                            const std::string& synchronous,
                                                            metrics::Registry* registry);

// The queue of answers held for approval (<data_dir>/approvals), sealed under the master keys.
Result<std::unique_ptr<trust::ApprovalQueue>> OpenApprovals(const std::string& data_dir,
                                                            std::chrono::seconds ttl,
                                                            metrics::Registry* registry = nullptr);

}  // namespace crmi::cli

#endif  // CRMI_CLI_DATA_DIR_H_
