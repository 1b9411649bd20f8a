// The MPI communicator (built with -DMIAOTUI_MPI=ON): MPI_COMM_WORLD as a dist::Communicator.
// This header does not include <mpi.h>, so nothing above dist/ sees MPI.
//
// Exchange posts MPI_Isend / MPI_Irecv for every message and polls them against the timeout; a
// peer that does not answer in time ends the run: the error naming the rank waited on is printed
// and MPI_Abort stops every rank (an MPI request cannot be abandoned safely, and a peer blocked
// elsewhere must not hang). MPI is initialized with MPI_THREAD_SERIALIZED: only one thread at a
// time calls it (the executor's team member 0 or the driving thread).
#pragma once

#include <memory>

#include "base/status.h"
#include "dist/communicator.h"

namespace miaotui::dist {

// True when an MPI launcher (mpirun / srun) started this process.
bool LaunchedByMpi();

// Initializes MPI once; MPI_Finalize runs when the returned communicator is destroyed.
Result<std::unique_ptr<Communicator>> CreateMpiCommunicator(int* argc, char*** argv);

}  // namespace miaotui::dist
