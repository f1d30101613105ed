# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE): which install components it
# packs (cmake/packaging.cmake names them), and where.
list(GET CPACK_INSTALL_CMAKE_PROJECTS 0 build_dir)
list(GET CPACK_INSTALL_CMAKE_PROJECTS 1 project_name)
if(CPACK_GENERATOR STREQUAL "TGZ")
    # The portable tarball: smtp-harness-<version>-linux-x86_64/{bin,lib,share}, to unpack
    # anywhere; its programs find their libraries and the catalog relative to themselves.
    set(components portable Unspecified)
    set(CPACK_PACKAGING_INSTALL_PREFIX "/")
    set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${CPACK_PACKAGE_VERSION}-linux-x86_64")
else()
    # The Debian package: the programs linked to Debian 12's shared libraries, and the units.
    set(components programs systemd Unspecified)
endif()
# One package of these components (CPACK_COMPONENTS_ALL would be ignored by a generator that
# is not asked for a package per component).
set(CPACK_INSTALL_CMAKE_PROJECTS)
foreach(component ${components})
    list(APPEND CPACK_INSTALL_CMAKE_PROJECTS ${build_dir} ${project_name} ${component} /)
endforeach()
