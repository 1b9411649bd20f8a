// PeerSocket: tells a non-streaming handler whether its client is still connected.
//
// cpp-httplib 0.11 gives a handler no access to its connection, so the socket is found by its
// addresses: the descriptor of this process whose local port is the request's local_port and
// whose peer is remote_addr:remote_port (the pair identifies one TCP connection). The socket
// stays open while the handler runs (httplib closes it after the handler returns), so the
// descriptor cannot be reused meanwhile. A peer has gone when a non-blocking peek reads the end
// of the stream or an error; a client that half-closes its sending side looks gone too (no
// HTTP client we know does that while waiting for an answer).
#pragma once

#include <string>

namespace miaotui::server {

class PeerSocket {
 public:
  PeerSocket(std::string remote_addr, int remote_port, int local_port)
      : remote_addr_(std::move(remote_addr)), remote_port_(remote_port), local_port_(local_port) {}
  // True when the connection is known to be closed by the client. The socket is looked up on
  // the first call; a socket that cannot be found counts as connected (never a false cancel).
  bool ClientGone();

 private:
  std::string remote_addr_;
  int remote_port_, local_port_;
  int fd_ = -1;
  bool looked_up_ = false;
};

// The descriptor of the TCP connection local_port <-> remote_addr:remote_port; -1 if none.
int FindConnectionSocket(const std::string& remote_addr, int remote_port, int local_port);

}  // namespace miaotui::server
