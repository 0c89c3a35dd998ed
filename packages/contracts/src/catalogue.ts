/**
 * The request-type catalogue of the portal (guide: "Soumission d'une demande"): two portals,
 * four categories, ten request types. This is the seed; the tickets service stores it and an
 * admin edits it there (a ticket keeps the definition it was created under).
 */
export type Portal = 'retailer' | 'carrier';

export interface Text {
  fr: string;
  en: string;
}

export type FieldType = 'text' | 'textarea' | 'email' | 'select' | 'datetime' | 'list';

export interface FieldDefinition {
  key: string;
  label: Text;
  type: FieldType;
  required: boolean;
  maxLength?: number;
  /** For `select`. */
  options?: Array<{ value: string; label: Text }>;
  /** For `list`: how many entries at most. */
  maxItems?: number;
}

export interface RequestTypeDefinition {
  key: string;
  category: 'general' | 'configuration' | 'technical' | 'personal-data';
  label: Text;
  description: Text;
  icon: string;
  portals: Portal[];
  fields: FieldDefinition[];
  defaultTeam: string;
  slaPolicy: 'standard' | 'security' | 'personal-data';
  /** Visible only to the reporter and the team, never shared with the organisation. */
  confidential: boolean;
  /** Bumped by every change; tickets record the version they were created under. */
  version: number;
}

export const CATEGORIES: Record<RequestTypeDefinition['category'], Text> = {
  general: { fr: '1- Demandes générales', en: '1- General requests' },
  configuration: { fr: '2- Demandes de configuration sur JustWoopit', en: '2- JustWoopit configuration requests' },
  technical: { fr: "3- Demandes d'ordre technique", en: '3- Technical requests' },
  'personal-data': { fr: '4- Demande de suppression de données personnelles', en: '4- Personal data deletion request' },
};

const t = (fr: string, en: string): Text => ({ fr, en });
const BOTH: Portal[] = ['retailer', 'carrier'];

const text = (key: string, label: Text, required = true, maxLength = 500): FieldDefinition => ({
  key,
  label,
  type: 'text',
  required,
  maxLength,
});
const area = (key: string, label: Text, required = true): FieldDefinition => ({
  key,
  label,
  type: 'textarea',
  required,
  maxLength: 20_000,
});

const technicalFields: FieldDefinition[] = [
  text('affectedTool', t('Outil concerné', 'Affected tool')),
  {
    key: 'environment',
    label: t('Environnement', 'Environment'),
    type: 'select',
    required: true,
    options: [
      { value: 'production', label: t('Production', 'Production') },
      { value: 'staging', label: t('Recette', 'Staging') },
    ],
  },
];

export const REQUEST_TYPES: RequestTypeDefinition[] = [
  {
    key: 'ask-a-question',
    category: 'general',
    label: t('Poser une question', 'Ask a question'),
    description: t(
      'Ce formulaire vous permet de poser une question à nos équipes à propos de la plateforme Woop ou de tout autre sujet.',
      'Ask our teams a question about the Woop platform or anything else.',
    ),
    icon: 'question',
    portals: BOTH,
    fields: [],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'delivery-request',
    category: 'general',
    label: t("Demande d'information ou d'action sur une livraison", 'Information or action on a delivery'),
    description: t(
      "Ce formulaire vous permet de remonter une demande à nos équipes à propos d'une commande ou d'une livraison, comme son attribution à un de nos transporteurs ou sur l'état de sa livraison.",
      'Ask our teams about an order or a delivery, such as its assignment to one of our carriers or its delivery status.',
    ),
    icon: 'truck',
    portals: BOTH,
    fields: [
      {
        key: 'references',
        label: t('Référence(s) de commande ou de livraison', 'Order or delivery reference(s)'),
        type: 'list',
        required: true,
        maxItems: 50,
        maxLength: 100,
      },
      text('requestedAction', t('Action demandée', 'Requested action')),
    ],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'configuration-request',
    category: 'configuration',
    label: t('Demande de configuration', 'Configuration request'),
    description: t(
      'Ce formulaire vous permet de demander une modification de votre configuration.',
      'Ask for a change to your configuration.',
    ),
    icon: 'settings',
    portals: BOTH,
    fields: [
      text('setting', t('Paramètre concerné', 'Setting concerned')),
      text('desiredValue', t('Valeur souhaitée', 'Desired value')),
    ],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'user-management',
    category: 'configuration',
    label: t("Gestion d'utilisateur", 'User management'),
    description: t(
      "Ce formulaire vous permet de faire une demande de création, de modification ou de suppression d'un compte utilisateur.",
      'Ask for a user account to be created, changed or deleted.',
    ),
    icon: 'user',
    portals: BOTH,
    fields: [
      {
        key: 'action',
        label: t('Action', 'Action'),
        type: 'select',
        required: true,
        options: [
          { value: 'create', label: t('Création', 'Create') },
          { value: 'modify', label: t('Modification', 'Modify') },
          { value: 'delete', label: t('Suppression', 'Delete') },
        ],
      },
      text('userName', t("Nom de l'utilisateur", "User's name"), true, 200),
      { key: 'userEmail', label: t("E-mail de l'utilisateur", "User's email"), type: 'email', required: true },
      text('role', t('Rôle', 'Role'), false, 100),
    ],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'technical-assistance',
    category: 'technical',
    label: t("Demande d'assistance technique", 'Technical assistance'),
    description: t(
      "Ce formulaire vous permet de faire une demande d'assistance technique auprès de nos équipes. Par exemple dans le cadre d'une anomalie rencontrée par votre plateforme ou vos outils.",
      'Ask our teams for technical assistance, for instance about a problem met by your platform or tools.',
    ),
    icon: 'wrench',
    portals: BOTH,
    fields: technicalFields,
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'report-a-bug',
    category: 'technical',
    label: t(
      'Déclarer un bug ou un incident détecté sur la plateforme Woop',
      'Report a bug or incident on the Woop platform',
    ),
    description: t(
      'Ce formulaire vous permet de remonter une anomalie détectée sur la plateforme Woop.',
      'Report a problem found on the Woop platform.',
    ),
    icon: 'bug',
    portals: BOTH,
    fields: [
      area('stepsToReproduce', t('Étapes pour reproduire', 'Steps to reproduce')),
      area('expectedVersusActual', t('Résultat attendu et obtenu', 'Expected and actual result')),
      {
        key: 'impact',
        label: t('Impact', 'Impact'),
        type: 'select',
        required: true,
        options: [
          { value: 'blocking', label: t('Bloquant', 'Blocking') },
          { value: 'major', label: t('Majeur', 'Major') },
          { value: 'minor', label: t('Mineur', 'Minor') },
        ],
      },
      { key: 'occurredAt', label: t('Survenu le', 'Occurred at'), type: 'datetime', required: false },
    ],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
  {
    key: 'report-a-vulnerability',
    category: 'technical',
    label: t(
      'Déclarer une faille de sécurité détectée sur la plateforme Woop',
      'Report a security vulnerability on the Woop platform',
    ),
    description: t(
      'Ce formulaire vous permet de remonter une faille de sécurité détectée sur la plateforme Woop.',
      'Report a security vulnerability found on the Woop platform.',
    ),
    icon: 'shield',
    portals: BOTH,
    fields: [
      area('vulnerability', t('Description de la faille', 'Vulnerability description')),
      area('impact', t('Impact', 'Impact')),
    ],
    defaultTeam: 'security',
    slaPolicy: 'security',
    confidential: true,
    version: 1,
  },
  {
    key: 'security-assistance',
    category: 'technical',
    label: t("Demande d'assistance technique (problème de sécurité)", 'Technical assistance (security problem)'),
    description: t(
      "Ce formulaire vous permet de faire une demande d'assistance technique auprès de nos équipes dans le cadre d'une faille de sécurité rencontrée par votre plateforme ou vos outils.",
      'Ask our teams for technical assistance about a security problem met by your platform or tools.',
    ),
    icon: 'shield-alert',
    portals: BOTH,
    fields: technicalFields,
    defaultTeam: 'security',
    slaPolicy: 'security',
    confidential: true,
    version: 1,
  },
  {
    key: 'personal-data-deletion',
    category: 'personal-data',
    label: t('Demande de suppression de données personnelles', 'Personal data deletion request'),
    description: t(
      "Ce formulaire vous permet de demander l'application du droit à la rectification et à la suppression de données personnelles de vos utilisateurs dont des informations ont été envoyées à la plateforme Woop.",
      'Ask for the rights to rectification and erasure to be applied to personal data of your users sent to the Woop platform.',
    ),
    icon: 'eraser',
    portals: BOTH,
    fields: [
      area('dataSubjects', t('Personnes concernées (identifiants)', 'Data subjects (identifiers)')),
      {
        key: 'scope',
        label: t('Portée', 'Scope'),
        type: 'select',
        required: true,
        options: [
          { value: 'rectify', label: t('Rectification', 'Rectification') },
          { value: 'delete', label: t('Suppression', 'Deletion') },
        ],
      },
      text('legalBasis', t('Base légale', 'Legal basis'), false),
    ],
    defaultTeam: 'dpo',
    slaPolicy: 'personal-data',
    confidential: false,
    version: 1,
  },
  {
    key: 'feature-request',
    category: 'technical',
    label: t("Demande d'évolution fonctionnelle", 'Feature request'),
    description: t(
      "Ce formulaire vous permet de faire une demande d'évolution fonctionnelle. Nos équipes vous recontacteront une fois votre demande évaluée.",
      'Ask for a new feature. Our teams will come back to you once the request is assessed.',
    ),
    icon: 'lightbulb',
    portals: BOTH,
    fields: [area('need', t('Besoin', 'Need')), area('expectedBenefit', t('Bénéfice attendu', 'Expected benefit'))],
    defaultTeam: 'support',
    slaPolicy: 'standard',
    confidential: false,
    version: 1,
  },
];
