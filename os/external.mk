include $(sort $(wildcard $(BR2_EXTERNAL_NAS_PATH)/package/*/*.mk))
