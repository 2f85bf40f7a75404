#include "src/retrieval/builtin_embedder.h"

#include <fasttext/args.h>
#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fasttext/vector.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include "src/common/crypto.h"
#include "src/retrieval/text.h"

namespace crmi::retrieval {
namespace {

constexpr std::string_view kSifMagic = "crmi-sif 1";
constexpr size_t kCommonComponentSample = 20000;

// What fastText learns from: lower-cased words without stop words, one text per line. Words are
// not stemmed: subwords already relate inflections, and unstemmed words keep their meaning.
std::string TrainingLine(const std::string& text) {
  std::string line;
  for (const Token& w : Words(text)) {
    if (IsStopWord(w.text)) continue;
    if (!line.empty()) line += ' ';
    line += w.text;
  }
  return line;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("no model at " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in.good() && !in.eof()) return DataLoss("cannot read " + path);
  return ss.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    out.flush();
    if (!out) return Unavailable("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Unavailable("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

void Normalize(std::span<float> v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= inv;
}

BuiltinEmbedder::~BuiltinEmbedder() = default;

Result<std::unique_ptr<BuiltinEmbedder>> BuiltinEmbedder::Train(
    const std::vector<std::string>& texts, const std::string& path,
    const BuiltinEmbedderOptions& options, const std::atomic<bool>* cancel) {
  const std::string corpus_path = path + ".corpus.tmp";
  size_t words = 0;
  {
    std::ofstream out(corpus_path, std::ios::binary | std::ios::trunc);
    if (!out) return Unavailable("cannot write " + corpus_path);
    for (const auto& t : texts) {
      std::string line = TrainingLine(t);
      if (line.empty()) continue;
      words += static_cast<size_t>(std::count(line.begin(), line.end(), ' ')) + 1;
      out << line << '\n';
    }
    if (!out.flush()) return Unavailable("cannot write " + corpus_path);
  }
  if (words < 200) {
    std::remove(corpus_path.c_str());
    return InvalidArgument("the corpus holds " + std::to_string(words) +
                           " words; the built-in embedder needs at least 200 to learn from");
  }

  fasttext::Args args;
  args.input = corpus_path;
  args.model = fasttext::model_name::sg;
  args.loss = fasttext::loss_name::ns;
  args.dim = options.dim;
  args.ws = options.window;
  args.epoch = options.epochs;
  args.minCount = options.min_count;
  args.bucket = options.buckets;
  args.minn = options.min_ngram;
  args.maxn = options.max_ngram;
  args.thread = 1;  // determinism: Hogwild updates from several threads interleave differently
  args.seed = static_cast<int>(options.seed & 0x7fffffff);
  args.verbose = 0;
  auto ft = std::make_unique<fasttext::FastText>();
  // Training can take minutes: a watcher aborts it when the caller cancels (shutdown).
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool trained = false;
  std::atomic<bool> aborted{false};
  std::thread watcher([&] {
    std::unique_lock lock(watch_mu);
    while (!trained) {
      if (cancel != nullptr && cancel->load()) {
        aborted = true;
        ft->abort();
        return;
      }
      watch_cv.wait_for(lock, std::chrono::milliseconds(50));
    }
  });
  auto stop_watcher = [&] {
    {
      std::lock_guard lock(watch_mu);
      trained = true;
    }
    watch_cv.notify_all();
    watcher.join();
  };
  try {
    ft->train(args);
  } catch (const std::exception& e) {
    stop_watcher();
    std::remove(corpus_path.c_str());
    if (aborted) return Cancelled("training was cancelled");
    return InvalidArgument(std::string("fastText training failed: ") + e.what());
  }
  stop_watcher();
  if (aborted) {
    std::remove(corpus_path.c_str());
    return Cancelled("training was cancelled");
  }
  try {
    ft->saveModel(path + ".tmp");
  } catch (const std::exception& e) {
    std::remove(corpus_path.c_str());
    return Unavailable(std::string("cannot save the model: ") + e.what());
  }
  std::remove(corpus_path.c_str());
  std::error_code ec;
  std::filesystem::rename(path + ".tmp", path, ec);
  if (ec) return Unavailable("cannot write " + path + ": " + ec.message());

  // Load what was written (one code path for trained and loaded models), then find the common
  // component over the corpus and record it with the version.
  std::unique_ptr<BuiltinEmbedder> e(new BuiltinEmbedder());
  e->ft_ = std::move(ft);
  e->sif_a_ = options.sif_a;
  auto model_bytes = ReadFile(path);
  if (!model_bytes.ok()) return model_bytes.status();
  e->info_.version = crypto::Sha256Hex(*model_bytes).substr(0, 16);
  Status s = e->Init("");
  if (!s.ok()) return s;

  const size_t dim = e->info_.dim;
  std::vector<float> sample;
  const size_t stride = std::max<size_t>(1, texts.size() / kCommonComponentSample);
  for (size_t i = 0; i < texts.size(); i += stride) {
    sample.resize(sample.size() + dim);
    e->RawEmbed(texts[i], sample.data() + sample.size() - dim);
  }
  // Power iteration for the first principal (uncentred, as in SIF) component.
  std::vector<double> pc(dim, 1.0 / std::sqrt(static_cast<double>(dim)));
  const size_t rows = sample.size() / dim;
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<double> next(dim, 0.0);
    for (size_t r = 0; r < rows; ++r) {
      const float* x = sample.data() + r * dim;
      double dot = 0;
      for (size_t j = 0; j < dim; ++j) dot += x[j] * pc[j];
      for (size_t j = 0; j < dim; ++j) next[j] += dot * x[j];
    }
    const double norm = std::sqrt(std::inner_product(next.begin(), next.end(), next.begin(), 0.0));
    if (norm == 0) break;
    for (double& v : next) v /= norm;
    pc = std::move(next);
  }
  std::ostringstream sif;
  sif.precision(9);
  sif << kSifMagic << "\nversion " << e->info_.version << "\na " << e->sif_a_ << "\ndim " << dim
      << "\npc";
  for (double v : pc) sif << ' ' << v;
  sif << '\n';
  s = WriteFileAtomic(path + ".sif", sif.str());
  if (!s.ok()) return s;
  e->common_.assign(pc.begin(), pc.end());
  return e;
}

Result<std::unique_ptr<BuiltinEmbedder>> BuiltinEmbedder::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no built-in embedding model at " + path);
  auto sif = ReadFile(path + ".sif");
  if (!sif.ok()) return DataLoss("built-in embedding model " + path + " lacks its .sif file");
  std::unique_ptr<BuiltinEmbedder> e(new BuiltinEmbedder());
  std::istringstream in(*sif);
  std::string line;
  std::getline(in, line);
  if (line != kSifMagic) return DataLoss(path + ".sif is not a crmi SIF file");
  std::string key;
  size_t dim = 0;
  while (in >> key) {
    if (key == "version") {
      in >> e->info_.version;
    } else if (key == "a") {
      in >> e->sif_a_;
    } else if (key == "dim") {
      in >> dim;
    } else if (key == "pc") {
      e->common_.resize(dim);
      for (float& v : e->common_) in >> v;
    }
    if (!in) return DataLoss(path + ".sif is damaged near '" + key + "'");
  }
  if (dim == 0 || e->common_.size() != dim || e->info_.version.empty()) {
    return DataLoss(path + ".sif is incomplete");
  }
  e->ft_ = std::make_unique<fasttext::FastText>();
  Status s = e->Init(path);
  if (!s.ok()) return s;
  if (e->info_.dim != dim) return DataLoss(path + ".sif does not match the model's dimension");
  return e;
}

Status BuiltinEmbedder::Init(const std::string& path) {
  try {
    if (!path.empty()) ft_->loadModel(path);
  } catch (const std::exception& e) {
    return DataLoss("cannot load built-in embedding model " + path + ": " + e.what());
  }
  info_.model = "crmi-builtin";
  info_.dim = static_cast<size_t>(ft_->getDimension());
  auto dict = ft_->getDictionary();
  const int32_t n = dict->nwords();
  const std::vector<int64_t> counts = dict->getCounts(fasttext::entry_type::word);
  const double total = std::max<double>(1, std::accumulate(counts.begin(), counts.end(), 0.0));
  vocab_.reserve(static_cast<size_t>(n));
  word_vectors_.assign(static_cast<size_t>(n) * info_.dim, 0.0f);
  word_weights_.assign(static_cast<size_t>(n), 0.0f);
  fasttext::Vector v(static_cast<int64_t>(info_.dim));
  for (int32_t i = 0; i < n; ++i) {
    const std::string w = dict->getWord(i);
    vocab_.emplace(w, static_cast<uint32_t>(i));
    ft_->getWordVector(v, w);
    std::copy(v.data(), v.data() + info_.dim,
              word_vectors_.data() + static_cast<size_t>(i) * info_.dim);
    const double p = static_cast<double>(counts[static_cast<size_t>(i)]) / total;
    word_weights_[static_cast<size_t>(i)] = static_cast<float>(sif_a_ / (sif_a_ + p));
  }
  oov_weight_ = static_cast<float>(sif_a_ / (sif_a_ + 1.0 / total));
  return Status::Ok();
}

void BuiltinEmbedder::RawEmbed(const std::string& text, float* out) const {
  const size_t dim = info_.dim;
  std::fill(out, out + dim, 0.0f);
  size_t used = 0;
  fasttext::Vector v(static_cast<int64_t>(dim));
  for (const Token& w : Words(text)) {
    if (IsStopWord(w.text)) continue;
    auto it = vocab_.find(w.text);
    const float* vec;
    float weight;
    if (it != vocab_.end()) {
      vec = word_vectors_.data() + static_cast<size_t>(it->second) * dim;
      weight = word_weights_[it->second];
    } else {
      // Unseen word: its character n-grams still carry meaning (typos, inflections, codes).
      ft_->getWordVector(v, w.text);
      vec = v.data();
      weight = oov_weight_;
    }
    for (size_t j = 0; j < dim; ++j) out[j] += weight * vec[j];
    ++used;
  }
  if (used > 0) {
    const float inv = 1.0f / static_cast<float>(used);
    for (size_t j = 0; j < dim; ++j) out[j] *= inv;
  }
}

Status BuiltinEmbedder::Embed(std::span<const std::string> texts, std::vector<float>* out) {
  const size_t dim = info_.dim;
  const size_t base = out->size();
  out->resize(base + texts.size() * dim);
  for (size_t i = 0; i < texts.size(); ++i) {
    float* v = out->data() + base + i * dim;
    RawEmbed(texts[i], v);
    if (!common_.empty()) {
      double dot = 0;
      for (size_t j = 0; j < dim; ++j) dot += v[j] * common_[j];
      for (size_t j = 0; j < dim; ++j) v[j] -= static_cast<float>(dot) * common_[j];
    }
    Normalize(std::span<float>(v, dim));
  }
  return Status::Ok();
}

}  // namespace crmi::retrieval
