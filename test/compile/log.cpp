// Header self-containment: <taskio/log.hpp> compiles alone (no PCH), twice.
#include <taskio/log.hpp>
#include <taskio/log.hpp>
