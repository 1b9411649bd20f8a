#include "dist/group_communicator.h"

#include <algorithm>

#include "base/check.h"

namespace miaotui::dist {

GroupCommunicator::GroupCommunicator(Communicator* parent, std::vector<int> members)
    : parent_(parent), members_(std::move(members)) {
  auto it = std::find(members_.begin(), members_.end(), parent_->rank());
  CHECK(it != members_.end());
  rank_ = static_cast<int>(it - members_.begin());
  set_timeout(parent_->timeout());
}

Status GroupCommunicator::Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                                   const char* what) {
  auto translate = [&](std::span<const Message> in) {
    std::vector<Message> out(in.begin(), in.end());
    for (Message& m : out) m.peer = members_.at(static_cast<size_t>(m.peer));
    return out;
  };
  const std::vector<Message> s = translate(sends), r = translate(recvs);
  const std::chrono::milliseconds saved = parent_->timeout();
  parent_->set_timeout(timeout());
  Status st = parent_->Exchange(s, r, what);
  parent_->set_timeout(saved);
  return st;
}

}  // namespace miaotui::dist
