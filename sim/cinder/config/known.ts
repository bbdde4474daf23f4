/**
 * Names Cinder 21.3.1 knows but the simulator does not model, so the lint
 * neither warns about them nor suggests them.  Data, extracted from Cinder's
 * source (every `cfg.*Opt('<name>'` outside the tests, and the driver
 * classes under cinder/volume/drivers) plus the [DEFAULT] options of the
 * oslo libraries cinder services load.  Modelled options live in options.ts.
 */

/** Option names registered by Cinder itself (any group). */
export const cinderOptionNames: ReadonlySet<string> = new Set(
  `
    acs5000_copy_interval acs5000_multiattach acs5000_volpool_name allocated_capacity_weight_multiplier 
    allow_availability_zone_fallback allow_compression_on_image_upload allowed_direct_url_schemes 
    api_port api_rate_limit as13000_ipsan_pools as13000_meta_pool as13000_token_available_time 
    auth_method auth_strategy auto_calc_max_oversubscription_ratio az_cache_duration 
    backend_availability_zone backend_host backend_name backend_native_threads_pool_size 
    backend_stats_polling_interval backend_url backup_api_class backup_ceph_chunk_size backup_ceph_conf 
    backup_ceph_image_journals backup_ceph_pool backup_ceph_stripe_count backup_ceph_stripe_unit 
    backup_ceph_user backup_compression_algorithm backup_container backup_driver 
    backup_driver_init_check_interval backup_driver_stats_polling_interval backup_enable_progress_timer 
    backup_file_size backup_gcs_block_size backup_gcs_bucket backup_gcs_bucket_location 
    backup_gcs_credential_file backup_gcs_enable_progress_timer backup_gcs_num_retries 
    backup_gcs_object_size backup_gcs_project_id backup_gcs_proxy_url backup_gcs_reader_chunk_size 
    backup_gcs_retry_error_codes backup_gcs_storage_class backup_gcs_user_agent 
    backup_gcs_writer_chunk_size backup_manager backup_max_operations backup_metadata_version 
    backup_mount_attempts backup_mount_options backup_mount_point_base backup_name_template 
    backup_native_threads_pool_size backup_object_number_per_notification backup_posix_path 
    backup_s3_block_size backup_s3_ca_cert_file backup_s3_enable_progress_timer backup_s3_endpoint_url 
    backup_s3_http_proxy backup_s3_https_proxy backup_s3_max_pool_connections backup_s3_md5_validation 
    backup_s3_object_size backup_s3_retry_max_attempts backup_s3_retry_mode 
    backup_s3_sse_customer_algorithm backup_s3_sse_customer_key backup_s3_store_access_key 
    backup_s3_store_bucket backup_s3_store_secret_key backup_s3_timeout backup_s3_verify_ssl 
    backup_service_inithost_offload backup_sha_block_size_bytes backup_share backup_swift_auth 
    backup_swift_auth_insecure backup_swift_auth_url backup_swift_auth_version backup_swift_block_size 
    backup_swift_ca_cert_file backup_swift_container backup_swift_create_storage_policy 
    backup_swift_enable_progress_timer backup_swift_key backup_swift_object_size backup_swift_project 
    backup_swift_project_domain backup_swift_retry_attempts backup_swift_retry_backoff 
    backup_swift_service_auth backup_swift_tenant backup_swift_url backup_swift_user 
    backup_swift_user_domain backup_timer_interval backup_use_same_host backup_use_temp_snapshot 
    backup_workers brcd_sb_connector capacity_weight_multiplier category chap chap_password 
    chap_password_len chap_username check_max_pool_luns_threshold chiscsi_conf 
    cinder_eternus_config_file cinder_huawei_conf_file cinder_internal_tenant_project_id 
    cinder_internal_tenant_user_id cisco_fc_fabric_address cisco_fc_fabric_password 
    cisco_fc_fabric_port cisco_fc_fabric_user cisco_sb_connector cisco_zone_activate 
    cisco_zone_name_prefix cisco_zoning_policy cisco_zoning_vsan clone_volume_timeout 
    cloned_volume_same_az cluster compression_format compute_api_class connection_type 
    consistencygroup_api_class cycle_period_seconds datacore_api_timeout datacore_disk_failed_delay 
    datacore_disk_pools datacore_disk_type datacore_fc_unallowed_targets datacore_iscsi_chap_storage 
    datacore_iscsi_unallowed_targets datacore_storage_profile datera_503_interval datera_503_timeout 
    datera_api_port datera_api_version datera_debug datera_debug_replica_count_override 
    datera_disable_extended_metadata datera_disable_profiler datera_disable_template_override 
    datera_enable_image_cache datera_image_cache_volume_type_id datera_ldap_server datera_tenant_id 
    datera_volume_type_defaults default_availability_zone default_group_type 
    default_sandstone_target_ips default_timeout default_volume_type deferred_deletion_delay 
    deferred_deletion_purge_interval dell_api_async_rest_timeout dell_api_sync_rest_timeout 
    dell_sc_api_port dell_sc_server_folder dell_sc_ssn dell_sc_verify_cert dell_sc_volume_folder 
    dell_server_os destroy_empty_storage_group disable_discovery dpl_pool dpl_port driver_client_cert 
    driver_client_cert_key driver_data_namespace driver_ssl_cert_path driver_ssl_cert_verify 
    driver_use_ssl ds8k_devadd_unitadd_mapping ds8k_host_type ds8k_ssid_prefix dsware_isthin 
    dsware_manager dsware_rest_url dsware_storage_pools enable_deferred_deletion enable_force_upload 
    enable_new_services enable_unsupported_driver enabled_backends end_time 
    enforce_multipath_for_image_xfer excluded_domain_ip excluded_domain_ips expiry_thres_minutes 
    export_ports extra_capabilities fc_fabric_address fc_fabric_names fc_fabric_password fc_fabric_port 
    fc_fabric_ssh_cert_path fc_fabric_user fc_san_lookup_service fc_southbound_protocol 
    fc_virtual_fabric_id filter_function fixed_key flashsystem_connection_protocol 
    flashsystem_iscsi_portid flashsystem_multihostmap_enabled force_delete_lun_in_storagegroup 
    fusionstorageagent glance_api_insecure glance_api_servers glance_api_ssl_compression 
    glance_ca_certificates_file glance_catalog_info glance_certfile glance_core_properties 
    glance_keyfile glance_num_retries glance_request_timeout glusterfs_backup_mount_point 
    glusterfs_backup_share goodness_function gpfs_hosts gpfs_hosts_key_file gpfs_images_dir 
    gpfs_images_share_mode gpfs_max_clone_depth gpfs_mount_point_base gpfs_private_key 
    gpfs_sparse_volumes gpfs_ssh_port gpfs_storage_pool gpfs_strict_host_key_policy gpfs_user_login 
    gpfs_user_password group_api_class hitachi_async_copy_check_interval hitachi_compute_target_ports 
    hitachi_copy_check_interval hitachi_copy_speed hitachi_discard_zero_page 
    hitachi_exec_retry_interval hitachi_extend_timeout hitachi_group_create hitachi_group_delete 
    hitachi_host_mode_options hitachi_ldev_range hitachi_lock_timeout hitachi_lun_retry_interval 
    hitachi_lun_timeout hitachi_pool hitachi_port_scheduler 
    hitachi_rest_another_ldev_mapped_retry_timeout hitachi_rest_connect_timeout 
    hitachi_rest_disable_io_wait hitachi_rest_get_api_response_timeout 
    hitachi_rest_job_api_response_timeout hitachi_rest_keep_session_loop_interval 
    hitachi_rest_server_busy_timeout hitachi_rest_tcp_keepalive hitachi_rest_tcp_keepcnt 
    hitachi_rest_tcp_keepidle hitachi_rest_tcp_keepintvl hitachi_rest_timeout hitachi_restore_timeout 
    hitachi_snap_pool hitachi_state_transition_timeout hitachi_storage_id hitachi_target_ports 
    hitachi_zoning_request host host_group hpe3par_api_url hpe3par_cpg hpe3par_cpg_snap hpe3par_debug 
    hpe3par_iscsi_chap_enabled hpe3par_iscsi_ips hpe3par_password hpe3par_snapshot_expiration 
    hpe3par_snapshot_retention hpe3par_target_nsp hpe3par_username hpmsa_api_protocol hpmsa_iscsi_ips 
    hpmsa_pool_name hpmsa_pool_type hpmsa_verify_certificate hpmsa_verify_certificate_path 
    hypermetro_devices iet_conf ignore_pool_full_threshold image_compress_on_upload 
    image_conversion_address_space_limit image_conversion_cpu_limit image_conversion_dir 
    image_conversion_disable image_upload_use_cinder_backend image_upload_use_internal_tenant 
    image_volume_cache_enabled image_volume_cache_max_count image_volume_cache_max_size_gb 
    included_domain_ips infinidat_iscsi_netspaces infinidat_pool_name infinidat_storage_protocol 
    infinidat_use_compression infortrend_cli_cache infortrend_cli_max_retries infortrend_cli_path 
    infortrend_cli_timeout infortrend_iqn_prefix infortrend_pools_name infortrend_slots_a_channels_id 
    infortrend_slots_b_channels_id init_host_max_objects_retrieval initiator_assign_sandstone_target_ip 
    initiator_auto_deregistration initiator_auto_registration initiator_check 
    instorage_mcs_allow_tenant_qos instorage_mcs_iscsi_chap_enabled instorage_mcs_localcopy_rate 
    instorage_mcs_localcopy_timeout instorage_mcs_vol_autoexpand instorage_mcs_vol_compression 
    instorage_mcs_vol_grainsize instorage_mcs_vol_intier instorage_mcs_vol_iogrp 
    instorage_mcs_vol_rsize instorage_mcs_vol_warning instorage_mcs_volpool_name 
    instorage_san_secondary_ip interface interval io_port_list iscsi_initiators iscsi_iotype 
    iscsi_secondary_ip_addresses iscsi_target_flags iscsi_write_cache iser_helper iser_ip_address 
    iser_port iser_target_prefix java_path jovian_block_size jovian_ignore_tpath jovian_pool 
    jovian_recovery_delay keystone_catalog_info kioxia_block_size kioxia_cafile 
    kioxia_desired_bw_per_gb kioxia_desired_iops_per_gb kioxia_max_bw_per_gb kioxia_max_iops_per_gb 
    kioxia_max_replica_down_time kioxia_num_replicas kioxia_provisioning_type kioxia_same_rack_allowed 
    kioxia_snap_reserved_space_percentage kioxia_snap_vol_reserved_space_percentage 
    kioxia_snap_vol_span_allowed kioxia_span_allowed kioxia_token kioxia_url 
    kioxia_vol_reserved_space_percentage kioxia_writable lba_format lenovo_api_protocol 
    lenovo_iscsi_ips lenovo_pool_name lenovo_pool_type lenovo_verify_certificate 
    lenovo_verify_certificate_path lightos_api_address lightos_api_port lightos_api_service_timeout 
    lightos_default_compression_enabled lightos_default_num_replicas lightos_jwt 
    linstor_autoplace_count linstor_controller_diskless linstor_default_blocksize 
    linstor_default_storage_pool_name linstor_default_uri linstor_default_volume_group_name 
    linstor_volume_downsize_factor lss_range_for_cg lvm_conf_file lvm_mirrors lvm_suppress_fd_warnings 
    lvm_type macrosan_client macrosan_client_default macrosan_fc_keep_mapped_ports 
    macrosan_fc_use_sp_port_nr macrosan_force_unmap_itl macrosan_log_timing macrosan_pool 
    macrosan_replication_destination_ports macrosan_replication_ipaddrs macrosan_replication_password 
    macrosan_replication_username macrosan_sdas_ipaddrs macrosan_sdas_password macrosan_sdas_username 
    macrosan_snapshot_resource_ratio macrosan_thin_lun_extent_size macrosan_thin_lun_high_watermark 
    macrosan_thin_lun_low_watermark management_ips manager_ips max_age max_luns_per_storage_group 
    max_over_subscription_ratio max_resource_count message_reap_interval message_ttl metro_domain_name 
    metro_san_address metro_san_password metro_san_user metro_storage_pools 
    migration_create_volume_timeout_secs monkey_patch monkey_patch_modules my_ip nas_host nas_login 
    nas_mount_options nas_password nas_private_key nas_secure_file_operations 
    nas_secure_file_permissions nas_share_path nas_ssh_port nas_volume_prov_type naviseccli_path 
    nec_actual_free_capacity nec_auto_accesscontrol nec_backend_max_ld_count nec_backup_ldname_format 
    nec_backup_pools nec_cv_ldname_format nec_diskarray_name nec_iscsi_portals_per_cont nec_ismcli_fip 
    nec_ismcli_password nec_ismcli_privkey nec_ismcli_user nec_ismview_alloptimize nec_ismview_dir 
    nec_ldname_format nec_ldset nec_pools nec_queryconfig_view nec_ssh_pool_port_number 
    nec_unpairthread_timeout nec_v_async_copy_check_interval nec_v_compute_target_ports 
    nec_v_copy_check_interval nec_v_copy_speed nec_v_discard_zero_page nec_v_exec_retry_interval 
    nec_v_extend_timeout nec_v_group_create nec_v_group_delete nec_v_host_mode_options nec_v_ldev_range 
    nec_v_lock_timeout nec_v_lun_retry_interval nec_v_lun_timeout nec_v_pool 
    nec_v_rest_another_ldev_mapped_retry_timeout nec_v_rest_connect_timeout nec_v_rest_disable_io_wait 
    nec_v_rest_get_api_response_timeout nec_v_rest_job_api_response_timeout 
    nec_v_rest_keep_session_loop_interval nec_v_rest_server_busy_timeout nec_v_rest_tcp_keepalive 
    nec_v_rest_tcp_keepcnt nec_v_rest_tcp_keepidle nec_v_rest_tcp_keepintvl nec_v_rest_timeout 
    nec_v_restore_timeout nec_v_snap_pool nec_v_state_transition_timeout nec_v_storage_id 
    nec_v_target_ports nec_v_zoning_request netapp_api_trace_pattern netapp_async_rest_timeout 
    netapp_copyoffload_tool_path netapp_driver_reports_provisioned_capacity netapp_host_type 
    netapp_login netapp_lun_ostype netapp_lun_space_reservation netapp_migrate_volume_timeout 
    netapp_nfs_image_cache_cleanup_interval netapp_password netapp_pool_name_search_pattern 
    netapp_replication_aggregate_map netapp_replication_volume_online_timeout netapp_server_hostname 
    netapp_server_port netapp_size_multiplier netapp_snapmirror_quiesce_timeout netapp_ssl_cert_path 
    netapp_storage_family netapp_storage_pools netapp_storage_protocol netapp_transport_type 
    netapp_use_legacy_client netapp_volume_list netapp_vserver nexenta_blocksize nexenta_chunksize 
    nexenta_client_address nexenta_dataset_compression nexenta_dataset_dedup 
    nexenta_dataset_description nexenta_encryption nexenta_folder nexenta_group_snapshot_template 
    nexenta_host nexenta_host_group_prefix nexenta_iops_limit nexenta_iscsi_service 
    nexenta_iscsi_target_host_group nexenta_iscsi_target_portal_groups nexenta_iscsi_target_portal_port 
    nexenta_iscsi_target_portals nexenta_lu_writebackcache_disabled nexenta_lun_container 
    nexenta_luns_per_target nexenta_mount_point_base nexenta_nbd_symlinks_dir nexenta_nms_cache_volroot 
    nexenta_ns5_blocksize nexenta_origin_snapshot_template nexenta_password nexenta_qcow2_volumes 
    nexenta_replication_count nexenta_rest_address nexenta_rest_backoff_factor 
    nexenta_rest_connect_timeout nexenta_rest_password nexenta_rest_port nexenta_rest_protocol 
    nexenta_rest_read_timeout nexenta_rest_retry_count nexenta_rest_user nexenta_rrmgr_compression 
    nexenta_rrmgr_connections nexenta_rrmgr_tcp_buf_size nexenta_shares_config nexenta_sparse 
    nexenta_sparsed_volumes nexenta_target_group_prefix nexenta_target_prefix nexenta_use_https 
    nexenta_user nexenta_volume nexenta_volume_group nfs_mount_attempts nfs_mount_options 
    nfs_mount_point_base nfs_qcow2_volumes nfs_shares_config nfs_snapshot_support nfs_sparsed_volumes 
    nimble_pool_name nimble_subnet_label nimble_verify_cert_path nimble_verify_certificate 
    no_snapshot_gb_quota num_iser_scan_tries num_shell_tries num_volume_device_scan_tries nvmet_ns_id 
    nvmet_port_id osapi_max_limit osapi_volume_ext_list osapi_volume_extension osapi_volume_listen 
    osapi_volume_listen_port osapi_volume_use_ssl osapi_volume_workers per_volume_size_limit 
    periodic_fuzzy_delay periodic_interval podm_password podm_url podm_username pool_id_filter 
    pool_max_resource_count pool_name pool_type project_id_regex proxy public_endpoint pure_api_token 
    pure_automatic_max_oversubscription_ratio pure_eradicate_on_delete pure_host_personality 
    pure_iscsi_cidr pure_iscsi_cidr_list pure_nvme_cidr pure_nvme_cidr_list pure_nvme_transport 
    pure_replica_interval_default pure_replica_retention_long_term_default 
    pure_replica_retention_long_term_per_day_default pure_replica_retention_short_term_default 
    pure_replication_pg_name pure_replication_pod_name pvme_iscsi_ips pvme_pool_name 
    qnap_management_url qnap_poolname qnap_storage_protocol quobyte_client_cfg quobyte_mount_point_base 
    quobyte_overlay_volumes quobyte_qcow2_volumes quobyte_sparsed_volumes 
    quobyte_volume_from_snapshot_cache quobyte_volume_url quota_backup_gigabytes quota_backups 
    quota_consistencygroups quota_driver quota_gigabytes quota_groups quota_snapshots quota_volumes 
    rados_connect_timeout rados_connection_interval rados_connection_retries rbd_ceph_conf 
    rbd_cluster_name rbd_exclusive_cinder_pool rbd_flatten_volume_from_snapshot rbd_iscsi_api_debug 
    rbd_iscsi_api_password rbd_iscsi_api_url rbd_iscsi_api_user rbd_iscsi_target_iqn 
    rbd_max_clone_depth rbd_pool rbd_secret_uuid rbd_store_chunk_size rbd_user region_name 
    reinit_driver_count remove_empty_host replication_connect_timeout replication_device 
    report_discard_supported report_dynamic_total_capacity report_interval reservation_clean_interval 
    reservation_expire reserved_image_namespaces reserved_percentage resource_query_filters_file 
    restore_discard_excess_bytes retries rootwrap_config san_api_port san_clustername san_hosts san_ip 
    san_is_local san_login san_password san_private_key san_ssh_port san_thin_provision sandstone_pool 
    scheduler_default_filters scheduler_default_weighers scheduler_driver 
    scheduler_driver_init_wait_time scheduler_host_manager scheduler_json_config_location 
    scheduler_manager scheduler_max_attempts scheduler_weight_handler scst_target_driver 
    scst_target_iqn_name seagate_iscsi_ips seagate_pool_name seagate_pool_type secondary_san_ip 
    secondary_san_login secondary_san_password secondary_sc_api_port send_actions 
    send_service_user_token service_down_time sf_account_prefix sf_allow_tenant_qos sf_api_port 
    sf_api_request_timeout sf_cluster_pairing_timeout sf_emulate_512 sf_enable_vag sf_provisioning_calc 
    sf_svip sf_volume_clone_timeout sf_volume_create_timeout sf_volume_pairing_timeout sf_volume_prefix 
    smbfs_default_volume_format smbfs_mount_point_base smbfs_pool_mappings smbfs_shares_config 
    snapshot_name_template snapshot_same_host spdk_max_queue_depth spdk_rpc_ip spdk_rpc_password 
    spdk_rpc_port spdk_rpc_protocol spdk_rpc_username split_loggers ssh_conn_timeout ssh_hosts_key_file 
    ssh_max_pool_conn ssh_min_pool_conn start_time state_path storage_availability_zone 
    storage_protocol storage_vnx_authentication_type storage_vnx_pool_names 
    storage_vnx_security_file_dir storpool_replication storpool_template storwize_peer_pool 
    storwize_portset storwize_preferred_host_site storwize_san_secondary_ip 
    storwize_svc_allow_tenant_qos storwize_svc_clean_rate storwize_svc_flashcopy_rate 
    storwize_svc_flashcopy_timeout storwize_svc_iscsi_chap_enabled storwize_svc_mirror_pool 
    storwize_svc_multihostmap_enabled storwize_svc_multipath_enabled storwize_svc_retain_aux_volume 
    storwize_svc_src_child_pool storwize_svc_stretched_cluster_partner storwize_svc_target_child_pool 
    storwize_svc_vol_autoexpand storwize_svc_vol_compression storwize_svc_vol_easytier 
    storwize_svc_vol_grainsize storwize_svc_vol_iogrp storwize_svc_vol_nofmtdisk storwize_svc_vol_rsize 
    storwize_svc_vol_warning storwize_svc_volpool_name strict_ssh_host_key_policy 
    suppress_requests_ssl_warnings swift_catalog_info synology_admin_port synology_device_id 
    synology_one_time_pass synology_password synology_pool_name synology_ssl_verify synology_username 
    target_helper target_ip_address target_port target_prefix target_protocol tat_api_retry_count 
    tcp_keepalive tcp_keepalive_count tcp_keepalive_interval thres_avl_size_perc_start 
    thres_avl_size_perc_stop token_auth_url trace_flags transfer_api_class unique_fqdn_network 
    unity_io_ports unity_storage_pool_names until_refresh use_chap_auth use_default_quota_class 
    use_forwarded_for use_multipath_for_image_xfer verify_glance_signatures vmdk_allowed_types 
    vmware_adapter_type vmware_api_retry_count vmware_ca_file vmware_cluster_name 
    vmware_connection_pool_size vmware_datastore_regex vmware_enable_volume_stats vmware_host_ip 
    vmware_host_password vmware_host_port vmware_host_username vmware_host_version 
    vmware_image_transfer_timeout_secs vmware_insecure vmware_lazy_create vmware_max_objects_retrieval 
    vmware_snapshot_format vmware_storage_profile vmware_task_poll_interval vmware_tmp_dir 
    vmware_volume_folder vmware_wsdl_location vnx_async_migrate volume_api_class volume_backend_name 
    volume_clear volume_clear_ionice volume_clear_size volume_copy_blkio_cgroup_name 
    volume_copy_bps_limit volume_dd_blocksize volume_driver volume_group volume_manager 
    volume_name_template volume_number_multiplier volume_service_inithost_offload 
    volume_transfer_key_length volume_transfer_salt_length volume_usage_audit_period volumes_dir 
    vrts_lun_sparse vrts_target_config vzstorage_default_volume_format vzstorage_mount_options 
    vzstorage_mount_point_base vzstorage_shares_config vzstorage_sparsed_volumes vzstorage_used_ratio 
    wait_interval wait_retry_count windows_iscsi_lun_path xtremio_array_busy_retry_count 
    xtremio_array_busy_retry_interval xtremio_clean_unused_ig xtremio_cluster_name xtremio_ports 
    xtremio_volumes_per_glance_cache zadara_access_key zadara_default_snap_policy 
    zadara_gen3_vol_compress zadara_gen3_vol_dedupe zadara_ssl_cert_verify zadara_use_iser 
    zadara_vol_encrypt zadara_vol_name_template zadara_vpsa_host zadara_vpsa_poolname zadara_vpsa_port 
    zadara_vpsa_use_ssl zone_activate zone_driver zone_name_prefix zoning_mode zoning_policy 
  `
    .trim()
    .split(/\s+/),
);

/** [DEFAULT] options of oslo.log, oslo.messaging, oslo.service and oslo.reports. */
export const osloDefaultOptionNames: ReadonlySet<string> = new Set([
  'debug', 'log_config_append', 'log_date_format', 'log_file', 'log_dir', 'watch_log_file', 'use_syslog',
  'use_journal', 'syslog_log_facility', 'use_json', 'use_stderr', 'use_eventlog', 'log_color', 'log_rotate_interval',
  'log_rotate_interval_type', 'max_logfile_count', 'max_logfile_size_mb', 'log_rotation_type',
  'logging_context_format_string', 'logging_default_format_string', 'logging_debug_format_suffix',
  'logging_exception_prefix', 'logging_user_identity_format', 'default_log_levels', 'publish_errors',
  'instance_format', 'instance_uuid_format', 'rate_limit_interval', 'rate_limit_burst', 'rate_limit_except_level',
  'fatal_deprecations', 'transport_url', 'control_exchange', 'rpc_response_timeout', 'rpc_conn_pool_size',
  'conn_pool_min_size', 'conn_pool_ttl', 'executor_thread_pool_size', 'rpc_ping_enabled', 'graceful_shutdown_timeout',
  'backdoor_port', 'backdoor_socket', 'log_options', 'run_external_periodic_tasks', 'api_paste_config',
  'wsgi_log_format', 'tcp_keepidle', 'wsgi_default_pool_size', 'max_header_line', 'wsgi_keep_alive',
  'client_socket_timeout', 'config_file', 'config_dir', 'config_source', 'shell_completion',
]);

/** Dotted paths of the volume driver classes in Cinder 21.3.1's tree (a few are base classes). */
export const cinderDriverClasses: ReadonlySet<string> = new Set([
  'cinder.volume.drivers.lightos.LightOSVolumeDriver',
  'cinder.volume.drivers.kaminario.kaminario_common.KaminarioCinderDriverException',
  'cinder.volume.drivers.kaminario.kaminario_common.KaminarioCinderDriver',
  'cinder.volume.drivers.kaminario.kaminario_iscsi.KaminarioISCSIDriver',
  'cinder.volume.drivers.kaminario.kaminario_fc.KaminarioFCDriver',
  'cinder.volume.drivers.fujitsu.eternus_dx.eternus_dx_fc.FJDXFCDriver',
  'cinder.volume.drivers.fujitsu.eternus_dx.eternus_dx_iscsi.FJDXISCSIDriver',
  'cinder.volume.drivers.open_e.iscsi.JovianISCSIDriver',
  'cinder.volume.drivers.synology.synology_iscsi.SynoISCSIDriver',
  'cinder.volume.drivers.inspur.instorage.instorage_fc.InStorageMCSFCDriver',
  'cinder.volume.drivers.inspur.instorage.instorage_iscsi.InStorageMCSISCSIDriver',
  'cinder.volume.drivers.inspur.instorage.instorage_common.InStorageMCSCommonDriver',
  'cinder.volume.drivers.inspur.as13000.as13000_driver.AS13000Driver',
  'cinder.volume.drivers.dell_emc.sc.storagecenter_fc.SCFCDriver',
  'cinder.volume.drivers.dell_emc.sc.storagecenter_iscsi.SCISCSIDriver',
  'cinder.volume.drivers.dell_emc.sc.storagecenter_common.SCCommonDriver',
  'cinder.volume.drivers.dell_emc.sc.storagecenter_api.DellDriverRetryableException',
  'cinder.volume.drivers.dell_emc.powermax.iscsi.PowerMaxISCSIDriver',
  'cinder.volume.drivers.dell_emc.powermax.fc.PowerMaxFCDriver',
  'cinder.volume.drivers.dell_emc.unity.driver.UnityDriver',
  'cinder.volume.drivers.dell_emc.xtremio.XtremIOVolumeDriver',
  'cinder.volume.drivers.dell_emc.xtremio.XtremIOISCSIDriver',
  'cinder.volume.drivers.dell_emc.xtremio.XtremIOFCDriver',
  'cinder.volume.drivers.dell_emc.vnx.driver.VNXDriver',
  'cinder.volume.drivers.dell_emc.powervault.iscsi.PVMEISCSIDriver',
  'cinder.volume.drivers.dell_emc.powervault.fc.PVMEFCDriver',
  'cinder.volume.drivers.dell_emc.powerstore.driver.PowerStoreDriver',
  'cinder.volume.drivers.dell_emc.powerstore.nfs.PowerStoreNFSDriverInitialization',
  'cinder.volume.drivers.dell_emc.powerstore.nfs.PowerStoreNFSDriver',
  'cinder.volume.drivers.dell_emc.powerflex.driver.PowerFlexDriver',
  'cinder.volume.drivers.hedvig.hedvig_cinder.HedvigISCSIDriver',
  'cinder.volume.drivers.nexenta.ns5.nfs.NexentaNfsDriver',
  'cinder.volume.drivers.nexenta.ns5.iscsi.NexentaISCSIDriver',
  'cinder.volume.drivers.nexenta.nfs.NexentaNfsDriver',
  'cinder.volume.drivers.nexenta.iscsi.NexentaISCSIDriver',
  'cinder.volume.drivers.remotefs.RemoteFSDriver',
  'cinder.volume.drivers.remotefs.RemoteFSSnapDriverBase',
  'cinder.volume.drivers.remotefs.RemoteFSSnapDriver',
  'cinder.volume.drivers.remotefs.RemoteFSSnapDriverDistributed',
  'cinder.volume.drivers.nfs.NfsDriver',
  'cinder.volume.drivers.nec.volume_helper.MStorageDriver',
  'cinder.volume.drivers.nec.volume_helper.MStorageDSVDriver',
  'cinder.volume.drivers.nec.volume.MStorageISCSIDriver',
  'cinder.volume.drivers.nec.volume.MStorageFCDriver',
  'cinder.volume.drivers.nec.v.nec_v_iscsi.VStorageISCSIDriver',
  'cinder.volume.drivers.nec.v.nec_v_fc.VStorageFCDriver',
  'cinder.volume.drivers.macrosan.driver.MacroSANBaseDriver',
  'cinder.volume.drivers.macrosan.driver.MacroSANISCSIDriver',
  'cinder.volume.drivers.macrosan.driver.MacroSANFCDriver',
  'cinder.volume.drivers.pure.PureDriverException',
  'cinder.volume.drivers.pure.PureBaseVolumeDriver',
  'cinder.volume.drivers.pure.PureISCSIDriver',
  'cinder.volume.drivers.pure.PureFCDriver',
  'cinder.volume.drivers.pure.PureNVMEDriver',
  'cinder.volume.drivers.ceph.rbd_iscsi.RBDISCSIDriver',
  'cinder.volume.drivers.vzstorage.VZStorageDriver',
  'cinder.volume.drivers.storpool.StorPoolDriver',
  'cinder.volume.drivers.lvm.LVMVolumeDriver',
  'cinder.volume.drivers.rbd.RBDDriverException',
  'cinder.volume.drivers.rbd.RBDDriver',
  'cinder.volume.drivers.veritas_access.veritas_iscsi.ACCESSIscsiDriver',
  'cinder.volume.drivers.yadro.tatlin_iscsi.TatlinISCSIVolumeDriver',
  'cinder.volume.drivers.yadro.tatlin_common.TatlinCommonVolumeDriver',
  'cinder.volume.drivers.stx.iscsi.STXISCSIDriver',
  'cinder.volume.drivers.stx.fc.STXFCDriver',
  'cinder.volume.drivers.quobyte.QuobyteDriver',
  'cinder.volume.drivers.huawei.common.HuaweiBaseDriver',
  'cinder.volume.drivers.huawei.replication.ReplicaCommonDriver',
  'cinder.volume.drivers.huawei.huawei_driver.HuaweiISCSIDriver',
  'cinder.volume.drivers.huawei.huawei_driver.HuaweiFCDriver',
  'cinder.volume.drivers.solidfire.SolidFireDriverException',
  'cinder.volume.drivers.solidfire.SolidFireDriver',
  'cinder.volume.drivers.ibm.flashsystem_fc.FlashSystemFCDriver',
  'cinder.volume.drivers.ibm.gpfs.GPFSDriverUnsupportedOperation',
  'cinder.volume.drivers.ibm.gpfs.GPFSDriver',
  'cinder.volume.drivers.ibm.gpfs.GPFSRemoteDriver',
  'cinder.volume.drivers.ibm.gpfs.GPFSNFSDriver',
  'cinder.volume.drivers.ibm.storwize_svc.storwize_svc_fc.StorwizeSVCFCDriver',
  'cinder.volume.drivers.ibm.storwize_svc.storwize_svc_iscsi.StorwizeSVCISCSIDriver',
  'cinder.volume.drivers.ibm.storwize_svc.storwize_svc_common.StorwizeSVCCommonDriver',
  'cinder.volume.drivers.ibm.ibm_storage.ibm_storage.IBMStorageDriver',
  'cinder.volume.drivers.ibm.flashsystem_iscsi.FlashSystemISCSIDriver',
  'cinder.volume.drivers.ibm.flashsystem_common.FlashSystemDriver',
  'cinder.volume.drivers.sandstone.sds_driver.SdsBaseDriver',
  'cinder.volume.drivers.sandstone.sds_driver.SdsISCSIDriver',
  'cinder.volume.drivers.lenovo.lenovo_iscsi.LenovoISCSIDriver',
  'cinder.volume.drivers.lenovo.lenovo_fc.LenovoFCDriver',
  'cinder.volume.drivers.zadara.zadara.ZadaraVPSAISCSIDriver',
  'cinder.volume.drivers.toyou.acs5000.acs5000_common.Acs5000CommonDriver',
  'cinder.volume.drivers.toyou.acs5000.acs5000_fc.Acs5000FCDriver',
  'cinder.volume.drivers.toyou.acs5000.acs5000_iscsi.Acs5000ISCSIDriver',
  'cinder.volume.drivers.infinidat.InfiniboxVolumeDriver',
  'cinder.volume.drivers.windows.iscsi.WindowsISCSIDriver',
  'cinder.volume.drivers.windows.smbfs.WindowsSmbfsDriver',
  'cinder.volume.drivers.netapp.common.NetAppDriver',
  'cinder.volume.drivers.netapp.dataontap.iscsi_cmode.NetAppCmodeISCSIDriver',
  'cinder.volume.drivers.netapp.dataontap.nfs_cmode.NetAppCmodeNfsDriver',
  'cinder.volume.drivers.netapp.dataontap.fc_cmode.NetAppCmodeFibreChannelDriver',
  'cinder.volume.drivers.netapp.dataontap.nfs_base.NetAppNfsDriver',
  'cinder.volume.drivers.netapp.utils.NetAppDriverException',
  'cinder.volume.drivers.netapp.utils.NetAppDriverTimeout',
  'cinder.volume.drivers.kioxia.kumoscale.KumoScaleBaseVolumeDriver',
  'cinder.volume.drivers.vmware.vmdk.VMwareVcVmdkDriver',
  'cinder.volume.drivers.vmware.fcd.VMwareVStorageObjectDriver',
  'cinder.volume.drivers.infortrend.infortrend_fc_cli.InfortrendCLIFCDriver',
  'cinder.volume.drivers.infortrend.infortrend_iscsi_cli.InfortrendCLIISCSIDriver',
  'cinder.volume.drivers.linstordrv.LinstorBaseDriver',
  'cinder.volume.drivers.linstordrv.LinstorIscsiDriver',
  'cinder.volume.drivers.linstordrv.LinstorDrbdDriver',
  'cinder.volume.drivers.veritas_cnfs.VeritasCNFSDriver',
  'cinder.volume.drivers.spdk.SPDKDriver',
  'cinder.volume.drivers.fusionstorage.dsware.DSWAREDriver',
  'cinder.volume.drivers.hitachi.hbsd_iscsi.HBSDISCSIDriver',
  'cinder.volume.drivers.hitachi.hbsd_fc.HBSDFCDriver',
  'cinder.volume.drivers.rsd.RSDDriver',
  'cinder.volume.drivers.san.san.SanDriver',
  'cinder.volume.drivers.san.san.SanISCSIDriver',
  'cinder.volume.drivers.san.hp.hpmsa_fc.HPMSAFCDriver',
  'cinder.volume.drivers.san.hp.hpmsa_iscsi.HPMSAISCSIDriver',
  'cinder.volume.drivers.datacore.driver.DataCoreVolumeDriver',
  'cinder.volume.drivers.datacore.iscsi.ISCSIVolumeDriver',
  'cinder.volume.drivers.datacore.fc.FibreChannelVolumeDriver',
  'cinder.volume.drivers.hpe.hpe_3par_fc.HPE3PARFCDriver',
  'cinder.volume.drivers.hpe.nimble.NimbleDriverException',
  'cinder.volume.drivers.hpe.nimble.NimbleBaseVolumeDriver',
  'cinder.volume.drivers.hpe.nimble.NimbleISCSIDriver',
  'cinder.volume.drivers.hpe.nimble.NimbleFCDriver',
  'cinder.volume.drivers.hpe.hpe_3par_base.HPE3PARDriverBase',
  'cinder.volume.drivers.hpe.hpe_3par_iscsi.HPE3PARISCSIDriver',
  'cinder.volume.drivers.qnap.QnapISCSIDriver',
  'cinder.volume.drivers.prophetstor.dplcommon.DPLCOMMONDriver',
  'cinder.volume.drivers.prophetstor.dpl_fc.DPLFCDriver',
  'cinder.volume.drivers.prophetstor.dpl_iscsi.DPLISCSIDriver',
  'cinder.volume.drivers.datera.datera_iscsi.DateraDriver',
]);

/**
 * Old driver paths volume/manager.py MAPPING still translates (with a
 * deprecation warning) to the new class.
 */
export const renamedDriverClasses: Readonly<Record<string, string>> = {
  'cinder.volume.drivers.dell_emc.vmax.iscsi.VMAXISCSIDriver': 'cinder.volume.drivers.dell_emc.powermax.iscsi.PowerMaxISCSIDriver',
  'cinder.volume.drivers.dell_emc.vmax.fc.VMAXFCDriver': 'cinder.volume.drivers.dell_emc.powermax.fc.PowerMaxFCDriver',
  'cinder.volume.drivers.fujitsu.eternus_dx_fc.FJDXFCDriver': 'cinder.volume.drivers.fujitsu.eternus_dx.eternus_dx_fc.FJDXFCDriver',
  'cinder.volume.drivers.fujitsu.eternus_dx_iscsi.FJDXISCSIDriver': 'cinder.volume.drivers.fujitsu.eternus_dx.eternus_dx_iscsi.FJDXISCSIDriver',
  'cinder.volume.drivers.dell_emc.vxflexos.driver.VxFlexOSDriver': 'cinder.volume.drivers.dell_emc.powerflex.driver.PowerFlexDriver',
  'cinder.volume.drivers.zadara.ZadaraVPSAISCSIDriver': 'cinder.volume.drivers.zadara.zadara.ZadaraVPSAISCSIDriver',
  'cinder.volume.drivers.nimble.NimbleISCSIDriver': 'cinder.volume.drivers.hpe.nimble.NimbleISCSIDriver',
  'cinder.volume.drivers.nimble.NimbleFCDriver': 'cinder.volume.drivers.hpe.nimble.NimbleFCDriver',
};

/**
 * Sections that belong to Cinder or the oslo libraries rather than to a
 * backend: never reported as "a group never enabled", and the targets of
 * the misspelt-section suggestion.
 */
export const knownNonBackendSections: ReadonlySet<string> = new Set([
  'DEFAULT', 'backend_defaults', 'backend', 'barbican', 'brcd_fabric_example', 'castellan', 'cisco_fabric_example',
  'coordination', 'cors', 'database', 'fc-zone-manager', 'glance', 'healthcheck', 'key_manager', 'keymgr',
  'keystone_authtoken', 'nova', 'os_brick', 'oslo_concurrency', 'oslo_limit', 'oslo_messaging_amqp',
  'oslo_messaging_kafka', 'oslo_messaging_notifications', 'oslo_messaging_rabbit', 'oslo_middleware', 'oslo_policy',
  'oslo_reports', 'oslo_versionedobjects', 'privsep', 'privsep_entrypoint', 'privsep_osbrick', 'profiler',
  'sample_castellan_source', 'sample_remote_file_source', 'service_user', 'ssl', 'vault', 'audit_middleware_notifications',
]);
