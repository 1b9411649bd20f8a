// The collectives, built from Exchange: each rank sends its buffer to every peer it must reach
// and receives from every peer it needs, so on a timeout the missing rank is known by name.
#include "dist/communicator.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace miaotui::dist {
namespace {

// Tags of the collectives; user point-to-point tags stay below them.
constexpr int kTagAllReduce = 1 << 20;
constexpr int kTagAllGather = kTagAllReduce + 1;
constexpr int kTagBroadcast = kTagAllReduce + 2;
constexpr int kTagBarrier = kTagAllReduce + 3;

std::chrono::milliseconds DefaultTimeout() {
  if (const char* s = std::getenv("MIAOTUI_DIST_TIMEOUT_S")) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (end != s) return std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
  }
  return std::chrono::seconds(60);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Communicator::Communicator() : timeout_(DefaultTimeout()) {
  if (const char* s = std::getenv("MIAOTUI_DIST_DIE")) {
    int rank = -1;
    long long call = 0;
    if (std::sscanf(s, "%d:%lld", &rank, &call) == 2 && rank >= 0 && call >= 1) {
      die_rank_ = rank;
      die_call_ = call;
    }
  }
}

Status Communicator::TimeoutError(int peer, const char* what) const {
  char buf[160];
  std::snprintf(buf, sizeof(buf), "rank %d: no answer from rank %d within %.1f s during %s",
                rank(), peer, timeout_.count() / 1000.0, what);
  return Status(StatusCode::kIoError, buf);
}

Status Communicator::Run(std::span<const Message> sends, std::span<const Message> recvs,
                         const char* what) {
  if (++ops_ == die_call_ && rank() == die_rank_) {
    std::fprintf(stderr, "rank %d: MIAOTUI_DIST_DIE: killing myself before %s\n", rank(), what);
    std::fflush(stderr);
    raise(SIGKILL);
  }
  const double t0 = Now();
  Status s = Exchange(sends, recvs, what);
  stats_.seconds += Now() - t0;
  stats_.calls += 1;
  for (const Message& m : sends) {
    stats_.bytes_sent += static_cast<int64_t>(m.bytes);
    stats_.messages_sent += 1;
  }
  return s;
}

Status Communicator::AllReduceSum(float* data, int64_t n) {
  const int p = size(), me = rank();
  if (p == 1 || n == 0) return Status::Ok();
  scratch_.resize(static_cast<size_t>(n) * p);
  std::vector<Message> sends, recvs;
  const size_t bytes = static_cast<size_t>(n) * sizeof(float);
  for (int r = 0; r < p; ++r) {
    if (r == me) continue;
    sends.push_back({r, kTagAllReduce, data, bytes});
    recvs.push_back({r, kTagAllReduce, scratch_.data() + static_cast<size_t>(r) * n, bytes});
  }
  std::memcpy(scratch_.data() + static_cast<size_t>(me) * n, data, bytes);
  MT_RETURN_IF_ERROR(Run(sends, recvs, "all-reduce"));
  // Rank order on every rank: bit-identical results everywhere.
  std::memcpy(data, scratch_.data(), bytes);
  for (int r = 1; r < p; ++r) {
    const float* src = scratch_.data() + static_cast<size_t>(r) * n;
    for (int64_t i = 0; i < n; ++i) data[i] += src[i];
  }
  return Status::Ok();
}

Status Communicator::AllGather(const void* mine, size_t bytes, void* all) {
  const int p = size(), me = rank();
  auto* out = static_cast<uint8_t*>(all);
  std::memmove(out + me * bytes, mine, bytes);
  if (p == 1) return Status::Ok();
  std::vector<Message> sends, recvs;
  for (int r = 0; r < p; ++r) {
    if (r == me) continue;
    sends.push_back({r, kTagAllGather, out + me * bytes, bytes});
    recvs.push_back({r, kTagAllGather, out + r * bytes, bytes});
  }
  return Run(sends, recvs, "all-gather");
}

Status Communicator::Broadcast(void* data, size_t bytes, int root) {
  const int p = size(), me = rank();
  if (root < 0 || root >= p) return InvalidArgument("broadcast root " + std::to_string(root) +
                                                    " is not a rank of " + std::to_string(p));
  if (p == 1) return Status::Ok();
  std::vector<Message> sends, recvs;
  if (me == root) {
    for (int r = 0; r < p; ++r) {
      if (r != me) sends.push_back({r, kTagBroadcast, data, bytes});
    }
  } else {
    recvs.push_back({root, kTagBroadcast, data, bytes});
  }
  return Run(sends, recvs, "broadcast");
}

Status Communicator::Send(const void* data, size_t bytes, int dst, int tag) {
  if (dst < 0 || dst >= size() || dst == rank()) {
    return InvalidArgument("send to rank " + std::to_string(dst) + " from rank " +
                           std::to_string(rank()) + " of " + std::to_string(size()));
  }
  const Message m{dst, tag, const_cast<void*>(data), bytes};
  return Run(std::span<const Message>(&m, 1), {}, "send");
}

Status Communicator::Recv(void* data, size_t bytes, int src, int tag) {
  if (src < 0 || src >= size() || src == rank()) {
    return InvalidArgument("receive from rank " + std::to_string(src) + " on rank " +
                           std::to_string(rank()) + " of " + std::to_string(size()));
  }
  const Message m{src, tag, data, bytes};
  return Run({}, std::span<const Message>(&m, 1), "receive");
}

Status Communicator::Barrier() {
  const int p = size(), me = rank();
  if (p == 1) return Status::Ok();
  std::vector<uint8_t> in(p);
  uint8_t token = 1;
  std::vector<Message> sends, recvs;
  for (int r = 0; r < p; ++r) {
    if (r == me) continue;
    sends.push_back({r, kTagBarrier, &token, 1});
    recvs.push_back({r, kTagBarrier, &in[r], 1});
  }
  return Run(sends, recvs, "barrier");
}

void Communicator::Abort(const Status& error) {
  const std::string& m = error.message();
  if (m.rfind("rank ", 0) == 0) {  // already names this rank
    std::fprintf(stderr, "miaotui: error: %s\n", m.c_str());
  } else {
    std::fprintf(stderr, "miaotui: error: rank %d: %s\n", rank(), m.c_str());
  }
  std::fflush(stderr);
  std::exit(1);
}

Status LocalCommunicator::Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                                   const char* what) {
  if (!sends.empty() || !recvs.empty()) {
    return Internal(std::string("local communicator has no peers (") + what + ")");
  }
  return Status::Ok();
}

}  // namespace miaotui::dist
