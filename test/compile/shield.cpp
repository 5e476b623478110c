// Header self-containment: <taskio/shield.hpp> compiles alone (no PCH), twice.
#include <taskio/shield.hpp>
#include <taskio/shield.hpp>
