// Asio, Asio SSL and Beast are compiled once, here (separate compilation), so that the
// drivers that include their headers build quickly.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
