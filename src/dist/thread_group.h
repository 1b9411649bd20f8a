// ThreadGroup: N ranks inside one process, one communicator per rank, for tests of tensor and
// pipeline parallelism without MPI. Messages are copied into per-(source, destination, tag)
// mailboxes, so a send never blocks; a receive waits on a condition variable up to the timeout.
//
// Usage: auto comms = MakeThreadGroup(2); run rank r's code on its own thread with *comms[r].
// The communicators share the group's state and may be destroyed in any order.
#pragma once

#include <memory>
#include <vector>

#include "dist/communicator.h"

namespace miaotui::dist {

std::vector<std::unique_ptr<Communicator>> MakeThreadGroup(int n_ranks);

}  // namespace miaotui::dist
