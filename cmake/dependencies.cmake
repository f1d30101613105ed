# Third-party dependencies, all from Debian 12 packages installed by ci/setup.
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
# RE2 (libre2-dev) matches the regular expressions of fault rules in linear time.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
if(SMTPH_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()
# c-ares (libc-ares-dev): the DNS resolver of io/, driven by Asio.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares>=1.16)
