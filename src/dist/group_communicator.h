// GroupCommunicator: a subset of another communicator's ranks as a communicator of its own, e.g.
// the tensor-parallel ranks of one pipeline stage when --tp and --pp are combined (their
// all-reduce must not include the other stages). Group rank i is the parent's rank members[i].
//
// Every operation goes through the parent's transport with peers translated to parent ranks, so
// timeouts and errors name the parent (world) rank, and Abort stops the whole run. The parent
// must outlive the group; the group's own counters (stats()) count only its operations. Members
// of a group must not use the parent's collectives concurrently (one thread at a time, as usual).
#pragma once

#include <cstdlib>
#include <vector>

#include "dist/communicator.h"

namespace miaotui::dist {

class GroupCommunicator final : public Communicator {
 public:
  // REQUIRES: parent's rank is among `members` (distinct parent ranks).
  GroupCommunicator(Communicator* parent, std::vector<int> members);
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(members_.size()); }
  const char* kind() const override { return "group"; }
  [[noreturn]] void Abort(const Status& error) override {
    parent_->Abort(error);
    std::abort();  // not reached: the parent's Abort ends the process
  }

 protected:
  Status Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                  const char* what) override;

 private:
  Communicator* parent_;
  std::vector<int> members_;
  int rank_ = -1;
};

}  // namespace miaotui::dist
