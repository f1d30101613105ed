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

# The portable programs of the tarball (cmake/packaging.cmake) link the static archive of every
# library Debian ships one of, and the shared library of the rest (fmt). Project targets link
# these smtph::dep_* targets, never the libraries themselves: each resolves to the shared
# library, or to the static archive when the program being linked has the target property
# SMTPH_PORTABLE.
function(smtph_static_archive name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "ARCHIVES;LIBS;LIKE")
    set(archives)
    foreach(archive ${arg_ARCHIVES})
        find_library(SMTPH_STATIC_${archive} NAMES lib${archive}.a REQUIRED)
        list(APPEND archives ${SMTPH_STATIC_${archive}})
    endforeach()
    add_library(smtph_static_${name} INTERFACE IMPORTED)
    get_target_property(includes ${arg_LIKE} INTERFACE_INCLUDE_DIRECTORIES)
    if(includes)
        set_target_properties(smtph_static_${name} PROPERTIES
                              INTERFACE_INCLUDE_DIRECTORIES "${includes}")
    endif()
    # The archives in dependency order, each listed before what it uses.
    target_link_libraries(smtph_static_${name} INTERFACE ${archives} ${arg_LIBS})
    add_library(smtph_dep_${name} INTERFACE)
    target_link_libraries(smtph_dep_${name} INTERFACE
        "$<IF:$<BOOL:$<TARGET_PROPERTY:SMTPH_PORTABLE>>,smtph_static_${name},${arg_LIKE}>")
    add_library(smtph::dep_${name} ALIAS smtph_dep_${name})
endfunction()

smtph_static_archive(yaml_cpp ARCHIVES yaml-cpp LIKE yaml-cpp)
smtph_static_archive(boost_json ARCHIVES boost_json boost_container LIKE Boost::json)
smtph_static_archive(boost_url ARCHIVES boost_url LIKE Boost::url)
smtph_static_archive(openssl_ssl ARCHIVES ssl crypto LIBS ${CMAKE_DL_LIBS} Threads::Threads
                     LIKE OpenSSL::SSL)
smtph_static_archive(openssl_crypto ARCHIVES crypto LIBS ${CMAKE_DL_LIBS} Threads::Threads
                     LIKE OpenSSL::Crypto)
smtph_static_archive(re2 ARCHIVES re2 LIBS Threads::Threads LIKE PkgConfig::RE2)
smtph_static_archive(cares ARCHIVES cares LIKE PkgConfig::CARES)
