/**
 * One trunk of every carrier plugin, with the number and caller-ID rules each vendor is known
 * for. Proxies are documentation names and addresses: nothing here is ever contacted (the
 * FreeSWITCH emulator plays the far end of every originate).
 */
export const CARRIER_PLUGINS = {
  'carrier-sip-trunk': {
    options: {
      trunks: {
        'ct-ims': {
          gateway: { proxy: 'ims.ct.example:5060', register: true, username: '+862161234567', password: 'ims-secret' },
          numbers: { format: 'e164' },
          callerId: { default: '+86 21 6123 4567' },
        },
      },
    },
  },
  'carrier-aliyun': {
    options: {
      trunks: {
        aliyun: { region: 'shanghai', inboundIps: ['192.0.2.10'], numbers: { dialPrefix: '8899' }, callerId: { default: '0571-8888-6666', allowed: ['05718888667'] } },
      },
    },
  },
  'carrier-tencent': {
    options: {
      trunks: {
        tencent: {
          gateway: { proxy: 'sip.tencent.example:5060', username: '02161234567', password: 'tc-secret' },
          numbers: { areaCode: '021', stripLocalAreaCode: true, mobileZeroPrefix: 'out-of-area', localMobileSegments: ['1381'] },
          callerId: { default: '02161234567' },
        },
      },
    },
  },
  'carrier-ronglian': {
    options: {
      trunks: {
        ronglian: {
          gateway: { proxy: 'sip.ronglian.example', username: 'rl-account', password: 'rl-secret' },
          maxConcurrentCalls: 1,
          callerId: { default: '075588886666', allowed: ['07558888667*'] },
        },
      },
    },
  },
  'carrier-huawei-uap': {
    options: {
      trunks: {
        hq: { gateway: { proxy: '203.0.113.5:5060' }, inboundIps: ['203.0.113.5'], numbers: { dialPrefix: '9', areaCode: '010' }, callerId: { default: '01066668888', allowAny: true } },
      },
    },
  },
};

/** The number every test dials, written the way a user would. */
export const CALLEE = '+86 139 0013 9000';
